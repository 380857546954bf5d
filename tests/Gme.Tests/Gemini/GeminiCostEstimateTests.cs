using Gme.Gemini;

namespace Gme.Tests.Gemini;

public sealed class GeminiCostEstimateTests
{
    [Fact]
    public void For_100kProducts70TextTokensOneImage_MatchesDocArithmetic()
    {
        var estimate = GeminiCostEstimate.For(new GeminiOptions(), 100_000, 100_000 * 70L, 100_000);

        Assert.Equal(7_000_000, estimate.TextTokens);
        Assert.Equal(25_800_000, estimate.ImageTokens);
        Assert.Equal(6.5, estimate.BatchUsd, 0.05);   // 0.70 + 5.805
        Assert.Equal(13.0, estimate.SyncUsd, 0.1);    // 1.40 + 11.61
    }
}
