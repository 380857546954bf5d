using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gme.Pipeline.Telemetry;

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

    // Rates over the last 30 s beside the cumulative counters, so the dashboard shows whether a stage moves now.
    private static readonly StageRate s_productsRate = new(ProductsIngested, TimeProvider.System);
    private static readonly StageRate s_imagesRate = new(ImagesFetched, TimeProvider.System);
    public static readonly ObservableGauge<double> ProductsPerSecond = Meter.CreateObservableGauge(
        "gme.ingest.products.rate", s_productsRate.PerSecond, "{product}/s", "Products ingested per second (last 30 s)");
    public static readonly ObservableGauge<double> ImagesPerSecond = Meter.CreateObservableGauge(
        "gme.images.fetched.rate", s_imagesRate.PerSecond, "{image}/s", "Photos fetched per second (last 30 s)");

    public static class Tags
    {
        public const string RunId = "gme.run.id";
        public const string Chunk = "gme.chunk";
        public const string Reason = "gme.failure.reason";
    }
}
