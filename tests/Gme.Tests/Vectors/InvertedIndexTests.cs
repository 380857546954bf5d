using System.Globalization;
using Gme.Core.Vectors;
using Gme.VectorStores.Embedded;

namespace Gme.Tests.Vectors;

/// <summary>The inverted file over sign-bit codes, and keyword filters through the keyword index, forced on for small tables.</summary>
public sealed class InvertedIndexTests
{
    private const int Dimensions = 128;
    private const int PointCount = 4000;
    private static readonly CollectionSpec s_spec = new(
        "ivf", new Dictionary<string, VectorSpec> { ["v"] = new(Dimensions, Distance.Cosine) }, ["band", "group"]);

    private static readonly QuantizedSearch s_inverted = new() { MinimumPoints = 0, Probes = 8, ExactFilterMaximum = 100 };

    [Fact]
    public void Search_Inverted_ReadsOnlySomeListsAndMatchesExactTopTen()
    {
        var (exact, inverted, queries) = Tables(s_inverted);
        var index = inverted.Indexes["v"];

        var recall = Recall(exact, inverted, queries, null);

        Assert.InRange(index.Lists, 30, 80);
        Assert.True(recall >= 0.95, $"recall@10 {recall:F3}");
    }

    [Fact]
    public void Search_InvertedWithTenPercentKeywordFilter_ReturnsTheBestMatchesScoredExactly()
    {
        var (exact, inverted, queries) = Tables(s_inverted);
        var filter = CompiledFilter.From(new PayloadFilter([KeyValuePair.Create("band", "3")]));

        var hits = inverted.Search("v", queries[0], 10, filter);

        Assert.Equal(10, hits.Count);
        Assert.All(hits, h => Assert.Equal("3", h.Payload["band"]));
        var exactScores = exact.Search("v", queries[0], PointCount, filter).ToDictionary(h => h.Id, h => h.Score);
        Assert.All(hits, h => Assert.Equal(exactScores[h.Id], h.Score, 5));
        var recall = Recall(exact, inverted, queries, filter);
        Assert.True(recall >= 0.95, $"filtered recall@10 {recall:F3}");
    }

    [Fact]
    public void Search_FilterExcludingTheQuerysNeighbourhood_ReadsEveryListAndKeepsRecall()
    {
        // 1,000 matches, within 8 x ExactFilterMaximum: scored exactly once the near lists turn out empty of them.
        var (exact, inverted, queries) = Tables(s_inverted with { ExactFilterMaximum = 200 });
        // Queries near clusters of group 0, filtered to group 1: none of the query's near lists hold a match.
        var filter = CompiledFilter.From(new PayloadFilter([KeyValuePair.Create("group", "1")]));
        var groupZero = queries.Where((_, i) => i % s_centres.Count % 4 == 0).ToList();

        var recall = Recall(exact, inverted, groupZero, filter);

        Assert.True(recall >= 0.95, $"filtered recall@10 {recall:F3}");
    }

    [Fact]
    public void Search_FilterOnAKeyWithoutKeywordIndex_StillFiltersAndKeepsRecall()
    {
        var (exact, inverted, queries) = Tables(s_inverted);
        var filter = CompiledFilter.From(new PayloadFilter([KeyValuePair.Create("parity", "odd")]));

        var hits = inverted.Search("v", queries[1], 10, filter);

        Assert.All(hits, h => Assert.Equal("odd", h.Payload["parity"]));
        Assert.True(Recall(exact, inverted, queries, filter) >= 0.95);
    }

    [Fact]
    public void Search_VerySelectiveFilter_IsAnsweredExactly()
    {
        var (exact, inverted, queries) = Tables(s_inverted with { ExactFilterMaximum = 500 });
        // Band 7 resolves to 400 points through the keyword index, few enough to score each; "parity" is checked per point.
        var filter = CompiledFilter.From(new PayloadFilter([KeyValuePair.Create("band", "7"), KeyValuePair.Create("parity", "odd")]));

        foreach (var query in queries.Take(10))
        {
            Assert.Equal(
                exact.Search("v", query, 10, filter).Select(h => (h.Id, h.Score)),
                inverted.Search("v", query, 10, filter).Select(h => (h.Id, h.Score)));
        }

        Assert.Equal(PointCount / 10, inverted.CountMatching(filter));
    }

    [Fact]
    public void Apply_DeleteAndIdempotentReUpsert_KeepTheListsConsistent()
    {
        var (_, inverted, queries) = Tables(s_inverted);
        var before = inverted.Search("v", queries[2], 10, null);
        var top = before[0];
        var record = Record(PointIndex(top.Payload));

        inverted.Apply(record);
        inverted.Apply(record);
        Assert.Equal(before.Select(h => h.Id), inverted.Search("v", queries[2], 10, null).Select(h => h.Id));
        Assert.Equal(PointCount, inverted.Count);

        inverted.Delete(top.Id);
        var afterDelete = inverted.Search("v", queries[2], 10, null);
        Assert.DoesNotContain(afterDelete, h => h.Id == top.Id);
        Assert.Equal(before.Skip(1).Select(h => h.Id), afterDelete.Take(9).Select(h => h.Id));
        Assert.Equal(PointCount / 10 - 1, inverted.CountMatching(CompiledFilter.From(new PayloadFilter([KeyValuePair.Create("band", top.Payload["band"]!)]))));

        inverted.Apply(record);
        Assert.Equal(before.Select(h => h.Id), inverted.Search("v", queries[2], 10, null).Select(h => h.Id));
    }

    [Fact]
    public void Apply_NewChangedMovedAndDeletedPoints_KeepEachListsCodeCopiesEqualToItsMembersCodes()
    {
        var (exact, inverted, queries) = Tables(s_inverted);
        var index = inverted.Indexes["v"];
        var random = new Random(5);
        for (var i = 0; i < 400; i++)
        {
            var record = Record(i);
            var vector = record.Vectors["v"];
            var changed = (i % 4) switch
            {
                // A small change keeps most points in their list and flips a few sign bits: only the copy can go stale.
                0 => TestVectors.Normalized([.. vector.Select(x => x + (0.05f * (float)((random.NextDouble() * 2) - 1)))]),

                // Another cluster's vector moves the point to another list.
                1 => Record(i + 1).Vectors["v"],
                _ => null,
            };
            if (changed is not null)
            {
                var update = record with { Vectors = new Dictionary<string, float[]> { ["v"] = changed } };
                exact.Apply(update);
                inverted.Apply(update);
            }
            else if (i % 4 == 2)
            {
                exact.Delete(record.Id);
                inverted.Delete(record.Id);
            }
        }

        // Few enough new points that the table stays under twice its last training size (a retraining refiles all).
        var trainings = index.Version;
        for (var i = PointCount; i < PointCount + 50; i++)
        {
            exact.Apply(Record(i));
            inverted.Apply(Record(i));
        }

        Assert.Equal(trainings, index.Version);
        Assert.Equal(0, index.CountStaleCodes());
        Assert.Equal(PointCount - 100 + 50, inverted.Count);
        Assert.True(Recall(exact, inverted, queries, null) >= 0.95);
    }

    [Fact]
    public void Apply_ChangedPayload_MovesThePointBetweenKeywordValues()
    {
        var (_, inverted, _) = Tables(s_inverted);
        var moved = Record(5) with { Payload = new Dictionary<string, string?> { ["band"] = "new", ["parity"] = "odd", ["i"] = "5" } };

        inverted.Apply(moved);

        var band = (string value) => inverted.CountMatching(CompiledFilter.From(new PayloadFilter([KeyValuePair.Create("band", value)])));
        Assert.Equal(1, band("new"));
        Assert.Equal(PointCount / 10 - 1, band("5"));
    }

    private static double Recall(PointTable exact, PointTable inverted, List<float[]> queries, CompiledFilter? filter) =>
        queries.Average(q =>
        {
            var truth = exact.Search("v", q, 10, filter).Select(h => h.Id).ToHashSet();
            return inverted.Search("v", q, 10, filter).Count(h => truth.Contains(h.Id)) / (double)truth.Count;
        });

    private static int PointIndex(IReadOnlyDictionary<string, string?> payload) => int.Parse(payload["i"]!, CultureInfo.InvariantCulture);

    private static readonly List<float[]> s_centres = Centres();

    private static List<float[]> Centres()
    {
        var random = new Random(31);
        // 37 clusters: coprime with the 10 bands and 2 parities, so those are spread evenly over clusters, while a
        // cluster's "group" (cluster % 4) is all or nothing.
        return Enumerable.Range(0, 37).Select(_ => TestVectors.Random(random, Dimensions)).ToList();
    }

    private static LogRecord Record(int i)
    {
        // Seeded per point, so a re-upsert carries exactly the same vector.
        var random = new Random(1000 + i);
        var vectors = new Dictionary<string, float[]> { ["v"] = TestVectors.Normalized(TestVectors.Near(random, s_centres[i % s_centres.Count], 0.8f)) };
        var payload = new Dictionary<string, string?>
        {
            ["band"] = (i % 10).ToString(CultureInfo.InvariantCulture),
            ["parity"] = i % 2 == 1 ? "odd" : "even",
            ["group"] = (i % s_centres.Count % 4).ToString(CultureInfo.InvariantCulture),
            ["i"] = i.ToString(CultureInfo.InvariantCulture),
        };
        return new LogRecord(LogOperation.Upsert, PointIds.FromProductId($"p{i}"), vectors, payload);
    }

    private static (PointTable Exact, PointTable Inverted, List<float[]> Queries) Tables(QuantizedSearch config)
    {
        var exact = new PointTable(s_spec, new QuantizedSearch { Enabled = false });
        var inverted = new PointTable(s_spec, config);
        for (var i = 0; i < PointCount; i++)
        {
            var record = Record(i);
            exact.Apply(record);
            inverted.Apply(record);
        }

        var random = new Random(77);
        var queries = Enumerable.Range(0, 40)
            .Select(i => TestVectors.Normalized(TestVectors.Near(random, s_centres[i % s_centres.Count], 0.8f)))
            .ToList();
        return (exact, inverted, queries);
    }
}
