using Gme.Core.Vectors;

namespace Gme.Tests.Vectors;

public sealed class FusedSearchTests
{
    private static readonly Guid s_a = new("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid s_b = new("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid s_c = new("00000000-0000-0000-0000-00000000000c");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Search_TwoRankings_SumsReciprocalRanks()
    {
        var store = new RankedStore(new()
        {
            ["text"] = [s_a, s_b, s_c],
            ["image"] = [s_b, s_c],
        });

        var fused = await FusedSearch.SearchAsync(store, "c", [("text", [1f]), ("image", [1f])], 10, null, Ct);

        Assert.Equal([s_b, s_c, s_a], fused.Select(p => p.Id));
        Assert.Equal((float)((1.0 / 62) + (1.0 / 61)), fused[0].Score, 6);
        Assert.Equal((float)((1.0 / 63) + (1.0 / 62)), fused[1].Score, 6);
        Assert.Equal((float)(1.0 / 61), fused[2].Score, 6);
    }

    [Fact]
    public async Task Search_EqualFusedScores_OrderById()
    {
        var store = new RankedStore(new()
        {
            ["text"] = [s_c, s_a],
            ["image"] = [s_a, s_c],
        });

        var fused = await FusedSearch.SearchAsync(store, "c", [("text", [1f]), ("image", [1f])], 10, null, Ct);

        Assert.Equal([s_a, s_c], fused.Select(p => p.Id));
    }

    [Theory]
    [InlineData(5, 50)]
    [InlineData(20, 80)]
    public async Task Search_AsksEachSubSearchForEnoughCandidates(int limit, int expectedCandidates)
    {
        var store = new RankedStore(new() { ["text"] = [s_a, s_b, s_c] });

        var fused = await FusedSearch.SearchAsync(store, "c", [("text", [1f])], limit, null, Ct);

        Assert.Equal(expectedCandidates, store.LastLimit);
        Assert.Equal(Math.Min(limit, 3), fused.Count);
    }

    [Fact]
    public async Task Search_PassesTheFilterAndTruncatesToLimit()
    {
        var store = new RankedStore(new() { ["text"] = [s_a, s_b, s_c] });
        var filter = new PayloadFilter([KeyValuePair.Create("colour", "red")]);

        var fused = await FusedSearch.SearchAsync(store, "c", [("text", [1f])], 2, filter, Ct, rrfK: 0);

        Assert.Same(filter, store.LastFilter);
        Assert.Equal([s_a, s_b], fused.Select(p => p.Id));
        Assert.Equal(1f, fused[0].Score);
    }

    [Fact]
    public async Task Search_NoQueries_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => FusedSearch.SearchAsync(new RankedStore([]), "c", [], 5, null, Ct));
    }

    /// <summary>A store whose searches return fixed rankings per vector name.</summary>
    private sealed class RankedStore(Dictionary<string, Guid[]> rankings) : IVectorStore
    {
        public int LastLimit { get; private set; }

        public PayloadFilter? LastFilter { get; private set; }

        public Task<IReadOnlyList<ScoredPoint>> SearchAsync(
            string collection,
            string vectorName,
            ReadOnlyMemory<float> query,
            int limit,
            PayloadFilter? filter = null,
            CancellationToken cancellationToken = default)
        {
            LastLimit = limit;
            LastFilter = filter;
            var empty = new Dictionary<string, string?>();
            IReadOnlyList<ScoredPoint> hits = rankings[vectorName].Take(limit).Select((id, i) => new ScoredPoint(id, 1f - (i * 0.1f), empty)).ToList();
            return Task.FromResult(hits);
        }

        public Task EnsureCollectionAsync(CollectionSpec spec, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<CollectionSpec?> GetCollectionAsync(string collection, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task UpsertAsync(string collection, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<long> CountAsync(string collection, PayloadFilter? filter = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ScoredPoint>> SearchLexicalAsync(
            string collection,
            Gme.Core.Lexical.SparseVector query,
            int limit,
            PayloadFilter? filter = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<FusedPoint>> SearchHybridAsync(
            string collection,
            HybridQuery query,
            int limit,
            PayloadFilter? filter = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<VectorPoint>> RetrieveAsync(string collection, IReadOnlyList<Guid> ids, bool withVectors, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task DeleteAsync(string collection, IReadOnlyList<Guid> ids, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task SetAliasAsync(string alias, string collection, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string?> GetAliasTargetAsync(string alias, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeleteCollectionAsync(string collection, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
