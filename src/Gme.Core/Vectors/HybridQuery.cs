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
    /// <summary>How the legs' lists are combined: DBSF measured best on the H&amp;M sample (README, search quality).</summary>
    public FusionMethod Fusion { get; init; } = FusionMethod.Dbsf;

    /// <summary>RRF's k: larger flattens the ranks, so points both legs found rise above one leg's top hits.</summary>
    public int RrfK { get; init; } = RankFusion.QdrantK;

    /// <summary>Candidates per leg for a result list of <paramref name="limit"/>: deep enough that a point ranked
    /// moderately in both legs surfaces.</summary>
    public static int CandidatesFor(int limit) => (int)Math.Clamp(limit * 4L, FusedSearch.MinimumCandidates, 1000);
}

/// <summary>The fusions Qdrant's Query API offers, computed the same way by <see cref="RankFusion"/>.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal rank fusion: Σ 1 / (2 + position).</summary>
    Rrf,

    /// <summary>Distribution-based score fusion: each leg's scores mapped by mean ± 3σ to [0, 1], then summed.</summary>
    Dbsf,
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
