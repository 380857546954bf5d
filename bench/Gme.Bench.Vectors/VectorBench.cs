using System.Diagnostics;
using System.Globalization;
using Gme.Core.Vectors;
using Gme.VectorStores.Embedded;

namespace Gme.Bench.Vectors;

/// <summary>Builds the embedded point table once per configuration and measures it against the exact scan.</summary>
internal static class VectorBench
{
    private const int K = 10;
    private const string Vector = "v";

    public static IEnumerable<string> Run(ClusteredData data)
    {
        var spec = new CollectionSpec("bench", new Dictionary<string, VectorSpec> { [Vector] = new(data.Dimensions, Distance.Cosine) }, ["category"]);
        var payloads = Enumerable.Range(0, ClusteredData.CategoryCount)
            .Select(c => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?> { ["category"] = c.ToString(CultureInfo.InvariantCulture) })
            .ToArray();
        var filter = CompiledFilter.From(new PayloadFilter([KeyValuePair.Create("category", "3")]));

        var exactConfig = new QuantizedSearch { Enabled = false };
        var (exact, exactBuild) = Build(spec, data, payloads, exactConfig);
        var (truth, exactLatencies) = Measure(exact, data, null);
        var (filteredTruth, _) = Measure(exact, data, filter);
        var floatBytes = (double)data.Vectors.Length * data.Dimensions * sizeof(float);
        var bitBytes = (double)data.Vectors.Length * ((data.Dimensions + 63) / 64) * sizeof(ulong);
        var disk = DiskBytes(data);
        yield return Row(data.Dimensions, "exact float scan (baseline)", exactBuild, exactLatencies, 1.0, 1.0, floatBytes, disk);
        exact = null;
        GC.Collect();

        foreach (var oversampling in new[] { 10, 20, 40 })
        {
            var config = new QuantizedSearch { MinimumPoints = 0, Oversampling = oversampling, MinimumCandidates = 0 };
            var (table, build) = Build(spec, data, payloads, config);
            var (found, latencies) = Measure(table, data, null);
            var (filteredFound, _) = Measure(table, data, filter);
            yield return Row(
                data.Dimensions,
                $"binary quantised + rescore {oversampling * K}",
                build,
                latencies,
                Recall(truth, found),
                Recall(filteredTruth, filteredFound),
                floatBytes + bitBytes,
                disk);
        }
    }

    private static (PointTable Table, TimeSpan Build) Build(
        CollectionSpec spec, ClusteredData data, IReadOnlyDictionary<string, string?>[] payloads, QuantizedSearch config)
    {
        var sw = Stopwatch.StartNew();
        var table = new PointTable(spec, config);
        for (var i = 0; i < data.Vectors.Length; i++)
        {
            var vectors = new Dictionary<string, float[]> { [Vector] = data.Vectors[i] };
            table.Apply(new LogRecord(LogOperation.Upsert, Id(i), vectors, payloads[data.Categories[i]]));
        }

        return (table, sw.Elapsed);
    }

    private static (List<HashSet<Guid>> Results, double[] LatenciesMs) Measure(PointTable table, ClusteredData data, CompiledFilter? filter)
    {
        // Warm up the JIT and caches so the first query does not count.
        table.Search(Vector, data.Queries[0], K, filter);
        var results = new List<HashSet<Guid>>(data.Queries.Length);
        var latencies = new double[data.Queries.Length];
        for (var q = 0; q < data.Queries.Length; q++)
        {
            var start = Stopwatch.GetTimestamp();
            var hits = table.Search(Vector, data.Queries[q], K, filter);
            latencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            results.Add(hits.Select(h => h.Id).ToHashSet());
        }

        return (results, latencies);
    }

    private static double Recall(List<HashSet<Guid>> truth, List<HashSet<Guid>> found) =>
        truth.Zip(found, (t, f) => t.Count == 0 ? 1.0 : (double)t.Intersect(f).Count() / t.Count).Average();

    /// <summary>The point log's size, from the real codec on a sample of records (writing 600 MB would dominate the run).</summary>
    private static double DiskBytes(ClusteredData data)
    {
        const int sample = 200;
        using var stream = new MemoryStream();
        for (var i = 0; i < sample; i++)
        {
            var vectors = new Dictionary<string, float[]> { [Vector] = data.Vectors[i] };
            var payload = new Dictionary<string, string?> { ["category"] = "3", ["product_id"] = i.ToString("D10", CultureInfo.InvariantCulture) };
            LogRecordCodec.AppendFrame(stream, new LogRecord(LogOperation.Upsert, Id(i), vectors, payload));
        }

        return stream.Length / (double)sample * data.Vectors.Length;
    }

    private static Guid Id(int i) => PointIds.FromProductId(i.ToString(CultureInfo.InvariantCulture));

    private static string Row(int dims, string index, TimeSpan build, double[] latencies, double recall, double filteredRecall, double ramBytes, double diskBytes)
    {
        Array.Sort(latencies);
        var p50 = latencies[latencies.Length / 2];
        var p99 = latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(latencies.Length * 0.99) - 1)];
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {dims} | {index} | {build.TotalSeconds:F1} | {p50:F2} | {p99:F2} | {recall:F3} | {filteredRecall:F3} | {ramBytes / (1 << 20):F0} | {diskBytes / (1 << 20):F0} |");
    }
}
