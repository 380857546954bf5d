using System.Diagnostics;
using System.Globalization;
using Gme.Core.Lexical;
using Gme.Core.Storage;
using Gme.Core.Vectors;
using Gme.VectorStores.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gme.Bench.Search;

/// <summary>
/// Dense, lexical and hybrid search latency on one embedded collection of synthetic products (384-d text vectors,
/// H&amp;M-like words), all measured in the same run so the ratio is what counts. Query embedding is left out: every
/// mode embeds the same query once.
/// </summary>
internal static class LatencyBench
{
    private static readonly string[] s_colours = ["black", "white", "dark blue", "light pink", "beige", "grey", "red", "green", "yellow", "khaki", "orange", "navy"];
    private static readonly string[] s_types = ["dress", "trousers", "sweater", "top", "t-shirt", "blouse", "jacket", "skirt", "bra", "shorts", "hoodie", "cardigan", "blazer", "boots", "socks", "belt"];
    private static readonly string[] s_words = ["cotton", "jersey", "denim", "soft", "knit", "lace", "viscose", "slim", "relaxed", "fit", "long", "short", "sleeves", "collar", "pockets", "zip", "buttons", "waist", "print", "striped", "checked", "lined", "stretch", "wool", "linen", "fine", "rib", "hood", "v-neck", "elastic"];

    public static async Task<int> RunAsync(int points, int queries)
    {
        const int dimensions = 384;
        var random = new Random(42);
        var directory = Path.Combine(Path.GetTempPath(), "gme-latency-" + Guid.NewGuid().ToString("N"));
        using var store = new EmbeddedVectorStore(new DataPaths(directory), NullLogger<EmbeddedVectorStore>.Instance);
        try
        {
            var spec = new CollectionSpec("products", new Dictionary<string, VectorSpec> { ["text"] = new(dimensions, Distance.Cosine) }, ["colour", "product_type"]);
            await store.EnsureCollectionAsync(spec);
            var centroids = Enumerable.Range(0, 64).Select(_ => RandomVector(random, dimensions)).ToArray();
            var load = Stopwatch.StartNew();
            for (var start = 0; start < points; start += 1000)
            {
                var batch = Enumerable.Range(start, Math.Min(1000, points - start)).Select(i => Product(random, i, centroids)).ToList();
                await store.UpsertAsync("products", batch);
            }

            Console.Error.WriteLine($"loaded {points} points in {load.Elapsed.TotalSeconds:F1} s");

            var reopen = Stopwatch.StartNew();
            using (var reader = new EmbeddedVectorStore(new DataPaths(directory), NullLogger<EmbeddedVectorStore>.Instance))
            {
                await reader.CountAsync("products");
            }

            Console.Error.WriteLine($"reopened (log replay + lexical index rebuilt) in {reopen.Elapsed.TotalSeconds:F1} s");

            var work = Enumerable.Range(0, queries).Select(_ =>
                (Vector: Near(random, centroids[random.Next(centroids.Length)], 0.5f), Text: $"{Pick(random, s_colours)} {Pick(random, s_types)}")).ToList();
            var modes = new (string Name, Func<(float[] Vector, string Text), Task> Run)[]
            {
                ("dense", q => store.SearchAsync("products", "text", q.Vector, 10)),
                ("lexical", q => store.SearchLexicalAsync("products", LexicalEncoder.Query(q.Text), 10)),
                ("hybrid", q => store.SearchHybridAsync("products",
                    new HybridQuery([("text", q.Vector)], LexicalEncoder.Query(q.Text), HybridQuery.CandidatesFor(10)), 10)),
            };

            Console.WriteLine($"points={points} queries={queries} cores={Environment.ProcessorCount} (top 10, hybrid legs {HybridQuery.CandidatesFor(10)} deep)");
            Console.WriteLine("| mode | p50 ms | p99 ms | p50 vs dense |");
            Console.WriteLine("|---|---|---|---|");
            double? denseP50 = null;
            foreach (var (name, run) in modes)
            {
                foreach (var q in work.Take(10))
                {
                    await run(q); // warm-up
                }

                var times = new List<double>(queries);
                foreach (var q in work)
                {
                    var sw = Stopwatch.StartNew();
                    await run(q);
                    times.Add(sw.Elapsed.TotalMilliseconds);
                }

                times.Sort();
                var p50 = times[times.Count / 2];
                var p99 = times[Math.Min(times.Count - 1, (int)(times.Count * 0.99))];
                denseP50 ??= p50;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {p50:F2} | {p99:F2} | {p50 / denseP50.Value:F2}x |"));
            }

            return 0;
        }
        finally
        {
            store.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static VectorPoint Product(Random random, int i, float[][] centroids)
    {
        var colour = Pick(random, s_colours);
        var type = Pick(random, s_types);
        var words = string.Join(' ', Enumerable.Range(0, 12).Select(_ => Pick(random, s_words)));
        var payload = new Dictionary<string, string?>
        {
            ["gme_product_id"] = i.ToString(CultureInfo.InvariantCulture),
            ["name"] = $"{Pick(random, s_words)} {type}",
            ["product_type"] = type,
            ["colour"] = colour,
            ["product_group"] = "Garment",
            ["description"] = $"A {colour} {type} in {words}.",
        };
        return new VectorPoint(PointIds.FromProductId(i.ToString(CultureInfo.InvariantCulture)),
            new Dictionary<string, float[]> { ["text"] = Near(random, centroids[random.Next(centroids.Length)], 0.5f) }, payload);
    }

    private static string Pick(Random random, string[] words) => words[random.Next(words.Length)];

    private static float[] RandomVector(Random random, int dimensions)
    {
        var v = new float[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            v[d] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }

    private static float[] Near(Random random, float[] centre, float spread) =>
        centre.Select(c => c + (spread * (float)((random.NextDouble() * 2) - 1))).ToArray();
}
