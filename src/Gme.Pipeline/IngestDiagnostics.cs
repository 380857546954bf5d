using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gme.Pipeline;

/// <summary>The Ingest service's ActivitySource and Meter (ServiceDefaults listens to every "Gme.*" source).</summary>
internal static class IngestDiagnostics
{
    public const string Name = "Gme.Ingest";
    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);
    public static readonly Counter<long> ProductsIngested = Meter.CreateCounter<long>("gme.ingest.products", "{product}");
    public static readonly Counter<long> RowsRejected = Meter.CreateCounter<long>("gme.ingest.rows_rejected", "{row}");
    public static readonly Counter<long> ImagesFetched = Meter.CreateCounter<long>("gme.images.fetched", "{image}");
    public static readonly Counter<long> ImagesFailed = Meter.CreateCounter<long>("gme.images.failed", "{image}");

    public static class Tags
    {
        public const string RunId = "gme.run.id";
        public const string Chunk = "gme.chunk";
        public const string Reason = "gme.failure.reason";
    }
}
