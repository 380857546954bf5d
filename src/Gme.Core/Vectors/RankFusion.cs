namespace Gme.Core.Vectors;

/// <summary>
/// Reciprocal rank fusion exactly as Qdrant's <c>Fusion.RRF</c> computes it, so both stores fuse the same legs into
/// the same order: each list contributes <c>1 / (k + position)</c> with positions from 0 and k = 2. Equal scores are
/// ordered by id.
/// </summary>
public static class RankFusion
{
    /// <summary>Qdrant's default (and, before 1.16, only) k.</summary>
    public const int QdrantK = 2;

    public static IReadOnlyList<FusedPoint> Rrf(
        IReadOnlyList<(RetrievalLegs Leg, IReadOnlyList<ScoredPoint> Hits)> legs,
        int limit,
        int k = QdrantK)
    {
        ArgumentNullException.ThrowIfNull(legs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var fused = new Dictionary<Guid, (double Score, RetrievalLegs Legs, ScoredPoint First)>();
        foreach (var (leg, hits) in legs)
        {
            for (var position = 0; position < hits.Count; position++)
            {
                var hit = hits[position];
                var contribution = 1.0 / (k + position);
                fused[hit.Id] = fused.TryGetValue(hit.Id, out var sofar)
                    ? (sofar.Score + contribution, sofar.Legs | leg, sofar.First)
                    : (contribution, leg, hit);
            }
        }

        return fused
            .OrderByDescending(p => p.Value.Score)
            .ThenBy(p => p.Key)
            .Take(limit)
            .Select(p => new FusedPoint(p.Value.First with { Score = (float)p.Value.Score }, p.Value.Legs))
            .ToList();
    }

    /// <summary>
    /// A hybrid search done by the client: every leg through the store's own searches (each under the filter), then
    /// fused. The embedded store answers hybrid queries this way.
    /// </summary>
    public static async Task<IReadOnlyList<FusedPoint>> SearchAsync(
        IVectorStore store,
        string collection,
        HybridQuery query,
        int limit,
        PayloadFilter? filter,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        var dense = query.Dense.Select(async d =>
            (RetrievalLegs.Dense, await store.SearchAsync(collection, d.VectorName, d.Vector, query.Candidates, filter, cancellationToken)));
        var legs = (await Task.WhenAll(dense)).ToList();
        if (query.Lexical.Count > 0)
        {
            legs.Add((RetrievalLegs.Lexical, await store.SearchLexicalAsync(collection, query.Lexical, query.Candidates, filter, cancellationToken)));
        }

        return Rrf(legs, limit);
    }
}
