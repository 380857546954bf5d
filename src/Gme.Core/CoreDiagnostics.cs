using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gme.Core;

/// <summary>Gme.Core's ActivitySource and Meter (ServiceDefaults listens to every "Gme.*" source).</summary>
internal static class CoreDiagnostics
{
    public const string Name = "Gme.Core";
    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);
    public static readonly Counter<long> OutboxResent = Meter.CreateCounter<long>("gme.outbox.resent", "{message}");
    public static readonly Counter<long> InboxDuplicates = Meter.CreateCounter<long>("gme.inbox.duplicates", "{message}");
}
