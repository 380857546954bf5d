using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gme.Pipeline.Telemetry;

namespace Gme.Pipeline;

/// <summary>The Embedder service's ActivitySource and Meter.</summary>
internal static class EmbedderDiagnostics
{
    public const string Name = "Gme.Embedder";
    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);
    public static readonly Counter<long> ShardsBuilt = Meter.CreateCounter<long>("gme.shards.built", "{shard}");
    public static readonly Counter<long> ItemsEmbedded = Meter.CreateCounter<long>("gme.embeddings.items", "{item}");
    public static readonly Counter<long> ItemsFailed = Meter.CreateCounter<long>("gme.embeddings.failed", "{item}");

    // The stage's rate over the last 30 s beside the cumulative counter (see IngestDiagnostics).
    private static readonly StageRate s_itemsRate = new(ItemsEmbedded, TimeProvider.System);
    public static readonly ObservableGauge<double> ItemsPerSecond = Meter.CreateObservableGauge(
        "gme.embeddings.items.rate", s_itemsRate.PerSecond, "{item}/s", "Products embedded per second (last 30 s)");

    public static class Tags
    {
        public const string RunId = "gme.run.id";
        public const string ShardId = "gme.shard.id";
        public const string JobName = "gme.batch.job";
        public const string ModelVersion = "gme.model.version";
    }
}
