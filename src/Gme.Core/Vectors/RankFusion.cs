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
        var fused = new Dictionary<Guid, Fused>();
        foreach (var (leg, hits) in legs)
        {
            for (var position = 0; position < hits.Count; position++)
            {
                Add(fused, leg, hits[position], 1.0 / (k + position));
            }
        }

        return Ranked(fused, limit);
    }

    /// <summary>
    /// Distribution-based score fusion as Qdrant computes it (segment/src/common/score_fusion.rs): each list's scores
    /// are normalised with its mean ± 3 sample standard deviations as the limits (a list of one, or of equal scores,
    /// gives 0.5), then a point's normalised scores are summed over the lists. Equal sums are ordered by id.
    /// </summary>
    public static IReadOnlyList<FusedPoint> Dbsf(
        IReadOnlyList<(RetrievalLegs Leg, IReadOnlyList<ScoredPoint> Hits)> legs,
        int limit)
    {
        ArgumentNullException.ThrowIfNull(legs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var fused = new Dictionary<Guid, Fused>();
        foreach (var (leg, hits) in legs)
        {
            if (hits.Count == 0)
            {
                continue;
            }

            var mean = hits.Average(h => (double)h.Score);
            // Qdrant's sample variance (n - 1); a list of one point normalises to 0.5.
            var std = hits.Count > 1 ? Math.Sqrt(hits.Sum(h => Math.Pow(h.Score - mean, 2)) / (hits.Count - 1)) : 0;
            var (low, high) = (mean - (3 * std), mean + (3 * std));
            foreach (var hit in hits)
            {
                Add(fused, leg, hit, high > low ? (hit.Score - low) / (high - low) : 0.5);
            }
        }

        return Ranked(fused, limit);
    }

    /// <summary>A point's fused score so far, the legs that found it, and its first hit (payload and vectors).</summary>
    private readonly record struct Fused(double Score, RetrievalLegs Legs, ScoredPoint First);

    private static void Add(Dictionary<Guid, Fused> fused, RetrievalLegs leg, ScoredPoint hit, double contribution) =>
        fused[hit.Id] = fused.TryGetValue(hit.Id, out var sofar)
            ? sofar with { Score = sofar.Score + contribution, Legs = sofar.Legs | leg }
            : new Fused(contribution, leg, hit);

    /// <summary>Highest fused score first, equal scores by id (as Qdrant orders them).</summary>
    private static List<FusedPoint> Ranked(Dictionary<Guid, Fused> fused, int limit) =>
        fused
            .OrderByDescending(p => p.Value.Score)
            .ThenBy(p => p.Key)
            .Take(limit)
            .Select(p => new FusedPoint(p.Value.First with { Score = (float)p.Value.Score }, p.Value.Legs))
            .ToList();

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
        // The legs run at once (each is CPU work in the embedded store), so a hybrid query costs about its slowest leg.
        var searches = query.Dense.Select(d => Task.Run(async () =>
            (RetrievalLegs.Dense, await store.SearchAsync(collection, d.VectorName, d.Vector, query.Candidates, filter, cancellationToken)), cancellationToken))
            .ToList();
        if (query.Lexical.Count > 0)
        {
            searches.Add(Task.Run(async () =>
                (RetrievalLegs.Lexical, await store.SearchLexicalAsync(collection, query.Lexical, query.Candidates, filter, cancellationToken)), cancellationToken));
        }

        var legs = await Task.WhenAll(searches);

        return query.Fusion == FusionMethod.Dbsf ? Dbsf(legs, limit) : Rrf(legs, limit, query.RrfK);
    }
}
