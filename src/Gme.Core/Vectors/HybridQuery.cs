using Gme.Core.Lexical;

namespace Gme.Core.Vectors;

/// <summary>
/// A hybrid search: one or more dense legs (named vector + query vector) and the lexical leg (BM25 query terms, see
/// <see cref="LexicalEncoder"/>). Each leg fetches <see cref="Candidates"/> points under the same filter; the lists
/// are fused by reciprocal rank (<see cref="RankFusion"/>).
/// </summary>
public sealed record HybridQuery(
    IReadOnlyList<(string VectorName, float[] Vector)> Dense,
    SparseVector Lexical,
    int Candidates)
{
    /// <summary>Candidates per leg for a result list of <paramref name="limit"/>: deep enough that a point ranked
    /// moderately in both legs surfaces.</summary>
    public static int CandidatesFor(int limit) => (int)Math.Clamp(limit * 4L, FusedSearch.MinimumCandidates, 1000);
}

/// <summary>Which legs of a hybrid search returned a point.</summary>
[Flags]
public enum RetrievalLegs
{
    /// <summary>Not known (a store that fuses on the server and does not say).</summary>
    None = 0,
    Dense = 1,
    Lexical = 2,
}

/// <summary>A fused hit: the point with its fused score, and the legs that found it.</summary>
public sealed record FusedPoint(ScoredPoint Point, RetrievalLegs Legs);
