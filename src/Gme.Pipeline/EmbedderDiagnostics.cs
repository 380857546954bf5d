using System.Diagnostics;
using System.Diagnostics.Metrics;

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

    public static class Tags
    {
        public const string RunId = "gme.run.id";
        public const string ShardId = "gme.shard.id";
        public const string JobName = "gme.batch.job";
        public const string ModelVersion = "gme.model.version";
    }
}
