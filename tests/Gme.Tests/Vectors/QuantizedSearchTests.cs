using System.Globalization;
using Gme.Core.Vectors;
using Gme.VectorStores.Embedded;

namespace Gme.Tests.Vectors;

/// <summary>The binary-quantised scan with float rescoring, forced on for small tables.</summary>
public sealed class QuantizedSearchTests
{
    private const int Dimensions = 64;
    private static readonly CollectionSpec s_spec = new(
        "q", new Dictionary<string, VectorSpec> { ["v"] = new(Dimensions, Distance.Cosine), ["e"] = new(4, Distance.Euclid) }, []);

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    [InlineData(1536)]
    public void Quantize_SetsExactlyTheBitsOfPositiveComponents(int dimensions)
    {
        float[] specials = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, 1e-30f];
        var random = new Random(dimensions);
        var vector = Enumerable.Range(0, dimensions)
            .Select(i => i % 7 == 0 ? specials[random.Next(specials.Length)] : (float)((random.NextDouble() * 2) - 1))
            .ToArray();
        var bits = new ulong[(dimensions + 63) / 64];
        bits.AsSpan().Fill(ulong.MaxValue); // whatever was there before is cleared

        VectorColumn.Quantize(vector, bits);

        for (var i = 0; i < dimensions; i++)
        {
            Assert.True(vector[i] > 0 == ((bits[i >> 6] >> (i & 63) & 1) == 1), $"component {i} = {vector[i]}");
        }

        Assert.Equal(0UL, dimensions % 64 == 0 ? 0UL : bits[^1] >> (dimensions % 64));
    }

    [Fact]
    public void Search_QuantizedOnClusteredPoints_MatchesExactTopTen()
    {
        var (exact, quantized, queries) = Tables(new QuantizedSearch { MinimumPoints = 0, Oversampling = 40, MinimumCandidates = 0 });

        var recall = queries.Average(q =>
        {
            var truth = exact.Search("v", q, 10, null).Select(h => h.Id).ToHashSet();
            return quantized.Search("v", q, 10, null).Count(h => truth.Contains(h.Id)) / 10.0;
        });

        Assert.True(recall >= 0.95, $"recall@10 {recall:F3}");
    }

    [Fact]
    public void Search_QuantizedWithSelectiveFilter_ReturnsLimitMatchingPointsScoredExactly()
    {
        var (exact, quantized, queries) = Tables(new QuantizedSearch { MinimumPoints = 0, Oversampling = 2, MinimumCandidates = 0 });
        var filter = CompiledFilter.From(new PayloadFilter([KeyValuePair.Create("band", "7")]));

        var hits = quantized.Search("v", queries[0], 10, filter);

        Assert.Equal(10, hits.Count);
        Assert.All(hits, h => Assert.Equal("7", h.Payload["band"]));
        var exactScores = exact.Search("v", queries[0], 3000, filter).ToDictionary(h => h.Id, h => h.Score);
        Assert.All(hits, h => Assert.Equal(exactScores[h.Id], h.Score, 5));
        Assert.Equal(hits.OrderByDescending(h => h.Score).Select(h => h.Id), hits.Select(h => h.Id));
    }

    [Fact]
    public void Search_EuclidVector_StaysExact()
    {
        var (exact, quantized, _) = Tables(new QuantizedSearch { MinimumPoints = 0, Oversampling = 1, MinimumCandidates = 0 });
        float[] query = [0.5f, -1f, 2f, 0f];

        Assert.Equal(exact.Search("e", query, 10, null).Select(h => h.Id), quantized.Search("e", query, 10, null).Select(h => h.Id));
    }

    private static (PointTable Exact, PointTable Quantized, List<float[]> Queries) Tables(QuantizedSearch config)
    {
        var random = new Random(21);
        var centres = Enumerable.Range(0, 20).Select(_ => TestVectors.Random(random, Dimensions)).ToList();
        var exact = new PointTable(s_spec, new QuantizedSearch { Enabled = false });
        var quantized = new PointTable(s_spec, config);
        for (var i = 0; i < 3000; i++)
        {
            var vectors = new Dictionary<string, float[]>
            {
                ["v"] = TestVectors.Normalized(TestVectors.Near(random, centres[i % centres.Count], 0.5f)),
                ["e"] = TestVectors.Random(random, 4),
            };
            var payload = new Dictionary<string, string?> { ["band"] = (i % 20).ToString(CultureInfo.InvariantCulture) };
            var record = new LogRecord(LogOperation.Upsert, PointIds.FromProductId($"p{i}"), vectors, payload);
            exact.Apply(record);
            quantized.Apply(record);
        }

        var queries = Enumerable.Range(0, 30).Select(i => TestVectors.Normalized(TestVectors.Near(random, centres[i % centres.Count], 0.5f))).ToList();
        return (exact, quantized, queries);
    }
}
