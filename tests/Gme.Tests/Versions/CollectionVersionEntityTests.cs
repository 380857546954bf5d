using Gme.Core.Ledger;
using Gme.Core.Vectors;

namespace Gme.Tests.Versions;

/// <summary>An index version's lifecycle: the moves its methods allow, and the ones they refuse naming the version.</summary>
public sealed class CollectionVersionEntityTests
{
    private static readonly DateTime s_now = new(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Begin_AcceptGoLiveStepDown_FollowTheLifecycle()
    {
        var version = CollectionVersionEntity.Begin("products", 2, "local", "local/m@1", Guid.NewGuid(), s_now);
        Assert.Equal(("products__v2", CollectionVersionState.Building), (version.Physical, version.State));

        version.Accept(40, "passed", 0.8, 0.3);
        version.GoLive(s_now);
        Assert.Equal((CollectionVersionState.Live, (bool?)true, (double?)0.8, (DateTime?)s_now),
            (version.State, version.GatePassed, version.Ndcg10, version.LiveAt));

        version.StepDown();
        Assert.Equal(CollectionVersionState.Ready, version.State);
    }

    [Fact]
    public void Rejected_NeverGoesLive()
    {
        var version = CollectionVersionEntity.Begin("products", 3, "local", "local/random", Guid.NewGuid(), s_now);
        version.Reject(40, "quality gate: nDCG@10 0.015 is below 0.200", false, 0.015, 0.02);

        var ex = Assert.Throws<InvalidOperationException>(() => version.GoLive(s_now));
        Assert.Contains("Version 3 of 'products': cannot go from Rejected to Live", ex.Message);
        Assert.Throws<InvalidOperationException>(() => version.Accept(40, "passed", 1, 1));
    }

    [Fact]
    public void Relocate_OnlyToItsOwnVersionName()
    {
        var adopted = CollectionVersionEntity.Adopt("products", 1, "products", "local", "local/m@1", null, s_now, s_now);
        Assert.Throws<InvalidOperationException>(() => adopted.Relocate("products__v2"));

        adopted.Relocate("products__v1");
        Assert.Equal("products__v1", adopted.Physical);
    }

    [Theory]
    [InlineData("products", "products__v12", 12)]
    [InlineData("products", "products", null)]
    [InlineData("products", "other__v1", null)]
    [InlineData("products", "products__vx", null)]
    public void VersionOf_ReadsTheNumberOfItsOwnVersionsOnly(string collection, string physical, int? expected) =>
        Assert.Equal(expected, CollectionVersionNames.VersionOf(collection, physical));
}
