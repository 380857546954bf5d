using System.Diagnostics.Metrics;

namespace Gme.Images;

/// <summary>The image fetcher's Meter (ServiceDefaults listens to every "Gme.*" meter).</summary>
internal static class Diagnostics
{
    public const string Name = "Gme.Images";
    public static readonly Meter Meter = new(Name);
    public static readonly Counter<long> ImageBytes = Meter.CreateCounter<long>("gme.images.downloaded_bytes", "By");
}
