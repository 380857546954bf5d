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
    private const int WarmupPasses = 3;

    public static IEnumerable<string> Run(ClusteredData data)
    {
        var spec = new CollectionSpec("bench", new Dictionary<string, VectorSpec> { [Vector] = new(data.Dimensions, Distance.Cosine) }, ["category"]);
        var payloads = Enumerable.Range(0, ClusteredData.CategoryCount)
            .Select(c => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?> { ["category"] = c.ToString(CultureInfo.InvariantCulture) })
            .ToArray();
        var filter = CompiledFilter.From(new PayloadFilter([KeyValuePair.Create("category", "3")]));

        var exactConfig = new QuantizedSearch { Enabled = false };
        var (exact, exactBuild, exactMemory) = Build(spec, data, payloads, exactConfig);
        var (truth, exactLatencies) = Measure(exact, data, null);
        var (filteredTruth, exactFilteredLatencies) = Measure(exact, data, filter);
        var baseline = (P50: Percentile(exactLatencies, 0.5), FilteredP50: Percentile(exactFilteredLatencies, 0.5));
        var disk = DiskBytes(data);
        yield return Row(data.Dimensions, "exact float scan (baseline)", exactBuild, exactLatencies, exactFilteredLatencies, 1.0, 1.0, exactMemory, disk, baseline);
        exact = null;
        GC.Collect();

        var configs = new (string Name, QuantizedSearch Config)[]
        {
            ("binary quantised full scan + rescore 400", new QuantizedSearch { MinimumPoints = 0, Inverted = false }),
            ("IVF codes, 8 probes + rescore 200", new QuantizedSearch { MinimumPoints = 0, Probes = 8, Oversampling = 20, MinimumCandidates = 0 }),
            ("IVF codes, 4 probes + rescore 400", new QuantizedSearch { MinimumPoints = 0, Probes = 4 }),
            ("IVF codes, 8 probes + rescore 400 (store default)", new QuantizedSearch { MinimumPoints = 0 }),
            ("IVF codes, 8 probes + rescore 400, filtered pool 10 per result (the default before)", new QuantizedSearch { MinimumPoints = 0, FilteredOversampling = 10 }),
        };
        foreach (var (name, config) in configs)
        {
            var (table, build, memory) = Build(spec, data, payloads, config);
            var (found, latencies) = Measure(table, data, null);
            var (filteredFound, filteredLatencies) = Measure(table, data, filter);
            yield return Row(
                data.Dimensions,
                name,
                build,
                latencies,
                filteredLatencies,
                Recall(truth, found),
                Recall(filteredTruth, filteredFound),
                memory,
                disk,
                baseline);
            table = null;
            GC.Collect();
        }

        // The store's own layout: floats in a memory-mapped scratch file, read through the map as a search service reads
        // them (validation's one-off reads copy rows instead, see MappedFloatRows).
        var scratch = Directory.CreateTempSubdirectory("gme-bench-rows-");
        try
        {
            var (mapped, mappedBuild, mappedMemory) = Build(spec, data, payloads, new QuantizedSearch { MinimumPoints = 0 }, scratch.FullName);
            using (mapped)
            {
                var (found, latencies) = Measure(mapped, data, null);
                var (filteredFound, filteredLatencies) = Measure(mapped, data, filter);
                yield return Row(data.Dimensions, "store default, floats memory-mapped as in a collection on disk", mappedBuild, latencies, filteredLatencies,
                    Recall(truth, found), Recall(filteredTruth, filteredFound), mappedMemory, disk, baseline);
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>The table, the time to fill it (index training included) and the managed heap it added.</summary>
    private static (PointTable Table, TimeSpan Build, double Bytes) Build(
        CollectionSpec spec, ClusteredData data, IReadOnlyDictionary<string, string?>[] payloads, QuantizedSearch config, string? scratchDirectory = null)
    {
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var sw = Stopwatch.StartNew();
        var table = new PointTable(spec, config, scratchDirectory);
        for (var i = 0; i < data.Vectors.Length; i++)
        {
            var vectors = new Dictionary<string, float[]> { [Vector] = data.Vectors[i] };
            table.Apply(new LogRecord(LogOperation.Upsert, Id(i), vectors, payloads[data.Categories[i]]));
        }

        var elapsed = sw.Elapsed;
        return (table, elapsed, GC.GetTotalMemory(forceFullCollection: true) - before);
    }

    private static (List<HashSet<Guid>> Results, double[] LatenciesMs) Measure(PointTable table, ClusteredData data, CompiledFilter? filter)
    {
        // Measure the steady state a long-running search service is in: tiered compilation runs a method's first calls
        // as quick unoptimised code and swaps in the optimised one after 30 calls and a quiet 100 ms, so one warm-up
        // query measured the unoptimised index (the IVF's p50 was 1.8 ms in its first pass and 0.33 ms from the third)
        // while the exact scan, one long loop, was optimised at once (on-stack replacement), which made every index
        // look slower than it is. Warm-up passes are not timed.
        for (var pass = 0; pass < WarmupPasses; pass++)
        {
            foreach (var query in data.Queries)
            {
                table.Search(Vector, query, K, filter);
            }

            Thread.Sleep(200);
        }
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

    private static double Percentile(double[] latencies, double p)
    {
        var sorted = latencies.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(sorted.Length * p) - 1, 0, sorted.Length - 1)];
    }

    private static string Row(
        int dims,
        string index,
        TimeSpan build,
        double[] latencies,
        double[] filteredLatencies,
        double recall,
        double filteredRecall,
        double ramBytes,
        double diskBytes,
        (double P50, double FilteredP50) baseline)
    {
        var p50 = Percentile(latencies, 0.5);
        var p99 = Percentile(latencies, 0.99);
        var filteredP50 = Percentile(filteredLatencies, 0.5);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {dims} | {index} | {build.TotalSeconds:F1} | {p50:F3} | {p99:F2} | {baseline.P50 / p50:F0}x | {recall:F3} | {filteredP50:F3} | {baseline.FilteredP50 / filteredP50:F0}x | {filteredRecall:F3} | {ramBytes / (1 << 20):F0} | {diskBytes / (1 << 20):F0} |");
    }
}
