using Gme.Pipeline.Evaluation;

namespace Gme.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    private static readonly bool[] s_ranked = [false, true, true, false, true];

    [Fact]
    public void PrecisionAndRecall_CountRelevantInTheCutOff()
    {
        Assert.Equal(2 / 3.0, RankingMetrics.PrecisionAt(s_ranked, 3), 12);
        Assert.Equal(3 / 10.0, RankingMetrics.PrecisionAt(s_ranked, 10), 12);
        Assert.Equal(2 / 4.0, RankingMetrics.RecallAt(s_ranked, 3, totalRelevant: 4), 12);
        Assert.Equal(0, RankingMetrics.RecallAt(s_ranked, 3, totalRelevant: 0));
    }

    [Fact]
    public void Ndcg_BinaryGains_IdealHasMinOfKAndTotal()
    {
        var dcg = (1 / Math.Log2(3)) + (1 / Math.Log2(4)) + (1 / Math.Log2(6));
        var ideal = 1 + (1 / Math.Log2(3)) + (1 / Math.Log2(4));

        Assert.Equal(dcg / ideal, RankingMetrics.NdcgAt(s_ranked, 10, totalRelevant: 3), 12);
        Assert.Equal(1.0, RankingMetrics.NdcgAt([true, true], 10, totalRelevant: 2), 12);
    }

    [Fact]
    public void ReciprocalRank_FirstRelevant()
    {
        Assert.Equal(0.5, RankingMetrics.ReciprocalRank(s_ranked));
        Assert.Equal(0, RankingMetrics.ReciprocalRank([false, false]));
    }
}
