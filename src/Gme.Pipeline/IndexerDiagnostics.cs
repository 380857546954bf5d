using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gme.Pipeline.Telemetry;

namespace Gme.Pipeline;

/// <summary>The Indexer service's ActivitySource and Meter.</summary>
internal static class IndexerDiagnostics
{
    public const string Name = "Gme.Indexer";
    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);
    public static readonly Counter<long> PointsUpserted = Meter.CreateCounter<long>("gme.index.points_upserted", "{point}");

    // The stage's rate over the last 30 s beside the cumulative counter (see IngestDiagnostics).
    private static readonly StageRate s_pointsRate = new(PointsUpserted, TimeProvider.System);
    public static readonly ObservableGauge<double> PointsPerSecond = Meter.CreateObservableGauge(
        "gme.index.points_upserted.rate", s_pointsRate.PerSecond, "{point}/s", "Points upserted per second (last 30 s)");

    public static class Tags
    {
        public const string RunId = "gme.run.id";
        public const string Collection = "gme.collection";
        public const string VectorFile = "gme.vector_file.id";
    }
}
