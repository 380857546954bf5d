namespace Gme.Core.Vectors;

/// <summary>
/// Reciprocal rank fusion over several named-vector searches (e.g. a text query against both the <c>text</c> and the
/// <c>image</c> vectors). Ranks fuse where raw scores cannot: cosine scores of different spaces are not comparable.
/// </summary>
public static class FusedSearch
{
    /// <summary>Candidates per sub-search at least; deeper lists let a point ranked moderately in both still surface.</summary>
    public const int MinimumCandidates = 50;

    /// <summary>
    /// Runs each query on its named vector, then scores every point Σ 1/(<paramref name="rrfK"/> + rank) with ranks
    /// starting at 1. Best first; equal scores are ordered by id. <see cref="ScoredPoint.Score"/> is the fused score.
    /// </summary>
    public static async Task<IReadOnlyList<ScoredPoint>> SearchAsync(
        IVectorStore store,
        string collection,
        IReadOnlyList<(string VectorName, float[] Query)> queries,
        int limit,
        PayloadFilter? filter,
        CancellationToken ct,
        int rrfK = 60)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(rrfK);
        if (queries.Count == 0)
        {
            throw new ArgumentException("At least one query is required.", nameof(queries));
        }

        var candidates = (int)Math.Clamp(limit * 4L, MinimumCandidates, int.MaxValue);
        var results = await Task.WhenAll(queries.Select(q =>
            store.SearchAsync(collection, q.VectorName, q.Query, candidates, filter, ct)));

        var fused = new Dictionary<Guid, (double Score, IReadOnlyDictionary<string, string?> Payload)>();
        foreach (var hits in results)
        {
            for (var i = 0; i < hits.Count; i++)
            {
                var hit = hits[i];
                var contribution = 1.0 / (rrfK + i + 1);
                fused[hit.Id] = fused.TryGetValue(hit.Id, out var sofar)
                    ? (sofar.Score + contribution, sofar.Payload)
                    : (contribution, hit.Payload);
            }
        }

        return fused
            .OrderByDescending(p => p.Value.Score)
            .ThenBy(p => p.Key)
            .Take(limit)
            .Select(p => new ScoredPoint(p.Key, (float)p.Value.Score, p.Value.Payload))
            .ToList();
    }
}
