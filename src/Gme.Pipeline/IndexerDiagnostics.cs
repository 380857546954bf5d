using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gme.Pipeline;

/// <summary>The Indexer service's ActivitySource and Meter.</summary>
internal static class IndexerDiagnostics
{
    public const string Name = "Gme.Indexer";
    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);
    public static readonly Counter<long> PointsUpserted = Meter.CreateCounter<long>("gme.index.points_upserted", "{point}");

    public static class Tags
    {
        public const string RunId = "gme.run.id";
        public const string Collection = "gme.collection";
        public const string VectorFile = "gme.vector_file.id";
    }
}
