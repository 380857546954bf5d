using Gme.Core.Vectors;
using Gme.Pipeline.Stages;

namespace Gme.Tests.Validation;

/// <summary>Products sharing one photo have identical vectors: self-search must count them as finding themselves.</summary>
public sealed class SelfSearchTieTests
{
    private static readonly Dictionary<string, string?> s_payload = [];

    private static List<ScoredPoint> Page(params float[] scores) =>
        scores.Select(s => new ScoredPoint(Guid.NewGuid(), s, s_payload)).ToList();

    [Fact]
    public void IsTop1_ProductTiedWithTheFirst_IsAHit()
    {
        var page = Page(1f, 1f, 0.5f);
        var self = page[1].Id;

        Assert.True(RunValidator.IsTop1(self, page, 10));
    }

    [Fact]
    public void IsTop1_WholePageOneTieWithoutTheProduct_IsAHitBecauseMoreShareTheVectorThanAPageHolds()
    {
        var page = Page(Enumerable.Repeat(1f, 10).ToArray());

        Assert.True(RunValidator.IsTop1(Guid.NewGuid(), page, 10));
    }

    [Fact]
    public void IsTop1_ProductBelowABetterDistinctVector_IsAMiss()
    {
        var page = Page(1f, 0.9f, 0.8f);

        Assert.False(RunValidator.IsTop1(page[1].Id, page, 10));
        Assert.False(RunValidator.IsTop1(Guid.NewGuid(), Page(1f, 1f, 0.2f), 10));
    }
}
