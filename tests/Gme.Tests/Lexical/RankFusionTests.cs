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

    private static List<ScoredPoint> Hits(params Guid[] ids) =>
        ids.Select((id, i) => new ScoredPoint(id, 1f - (i * 0.1f), new Dictionary<string, string?>())).ToList();
}
