using System.Diagnostics;

namespace Gme.Search.Web;

/// <summary>The search service's ActivitySource.</summary>
internal static class Diagnostics
{
    public const string Name = "Gme.Search";
    public static readonly ActivitySource ActivitySource = new(Name);
}
