using Gme.Core.Vectors;

namespace Gme.Tests.Lexical;

public sealed class RankFusionTests
{
    private static readonly Guid s_a = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid s_b = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid s_c = Guid.Parse("00000000-0000-0000-0000-00000000000c");

    [Fact]
    public void Rrf_QdrantsFormula_PositionsFromZeroKTwo_LegsReported()
    {
        var fused = RankFusion.Rrf(
        [
            (RetrievalLegs.Dense, Hits(s_a, s_b)),
            (RetrievalLegs.Lexical, Hits(s_b, s_c)),
        ], 10);

        Assert.Equal([s_b, s_a, s_c], fused.Select(f => f.Point.Id));
        Assert.Equal((float)((1.0 / 3) + (1.0 / 2)), fused[0].Point.Score, 6);
        Assert.Equal(0.5f, fused[1].Point.Score, 6);
        Assert.Equal(RetrievalLegs.Dense | RetrievalLegs.Lexical, fused[0].Legs);
        Assert.Equal(RetrievalLegs.Dense, fused[1].Legs);
        Assert.Equal(RetrievalLegs.Lexical, fused[2].Legs);
    }

    [Fact]
    public void Rrf_EqualScores_OrderedById_LimitApplied()
    {
        var fused = RankFusion.Rrf([(RetrievalLegs.Dense, Hits(s_b)), (RetrievalLegs.Lexical, Hits(s_a))], 1);

        Assert.Equal([s_a], fused.Select(f => f.Point.Id));
    }

    [Fact]
    public void Dbsf_MeanPlusMinusThreeSampleSigmas_SummedOverLegs_SingleHitIsHalf()
    {
        var fused = RankFusion.Dbsf(
        [
            (RetrievalLegs.Dense, [new ScoredPoint(s_a, 0.9f, s_empty), new ScoredPoint(s_b, 0.7f, s_empty)]),
            (RetrievalLegs.Lexical, [new ScoredPoint(s_b, 5f, s_empty)]),
        ], 10);

        // Dense: mean 0.8, sample sigma 0.1414: a = (0.9 - 0.3757) / 0.8485, b = (0.7 - 0.3757) / 0.8485; lexical b = 0.5.
        var sigma = Math.Sqrt(0.02);
        var (low, span) = (0.8 - (3 * sigma), 6 * sigma);
        Assert.Equal([s_b, s_a], fused.Select(f => f.Point.Id));
        Assert.Equal((float)(((0.7 - low) / span) + 0.5), fused[0].Point.Score, 5);
        Assert.Equal((float)((0.9 - low) / span), fused[1].Point.Score, 5);
        Assert.Equal(RetrievalLegs.Dense | RetrievalLegs.Lexical, fused[0].Legs);
    }

    private static readonly Dictionary<string, string?> s_empty = [];

    private static List<ScoredPoint> Hits(params Guid[] ids) =>
        ids.Select((id, i) => new ScoredPoint(id, 1f - (i * 0.1f), new Dictionary<string, string?>())).ToList();
}
