using Gme.Core.Ledger;

namespace Gme.Tests.Sagas;

/// <summary>Shard and product lifecycles: the moves their stages make, and the ones that are refused.</summary>
public sealed class EntityTransitionTests
{
    private static ShardEntity Shard(ShardState state) => new() { Id = "s1", Path = "/s1.jsonl", State = state };

    private static ProductEntity Product(ProductStage stage, bool failed = false, string? shardId = null) => new()
    {
        Collection = "products",
        Id = "p1",
        ContentHash = "h",
        PayloadJson = "{}",
        Name = "n",
        Text = "t",
        ImageRef = "/i.jpg",
        Stage = stage,
        Failed = failed,
        ShardId = shardId,
    };

    [Fact]
    public void Shard_SubmitCollect_HappyPath()
    {
        // As TryClaimSubmitAsync leaves it (the claim itself is a conditional update: SubmitShardClaimTests).
        var shard = Shard(ShardState.Submitting);
        shard.Attempts = 1;
        shard.ClaimToken = Guid.NewGuid();
        shard.ClaimExpiresAt = DateTime.UtcNow;
        var now = DateTime.UtcNow;

        shard.MarkSubmitted("job-1", now);
        Assert.Equal((ShardState.Submitted, "job-1", now, (Guid?)null), (shard.State, shard.JobName, shard.SubmittedAt, shard.ClaimToken));
    }

    [Fact]
    public void Shard_CostCapBeforeSending_GoesBackToBuiltWithoutTheAttempt()
    {
        var shard = Shard(ShardState.Submitting);
        shard.Attempts = 1;
        shard.ClaimToken = Guid.NewGuid();
        shard.CancelSubmit();
        Assert.Equal((ShardState.Built, 0, (Guid?)null), (shard.State, shard.Attempts, shard.ClaimToken));
    }

    [Fact]
    public void Shard_ClaimedCollectRetryFail_ClearTheClaim()
    {
        var collecting = Shard(ShardState.Collecting);
        collecting.ClaimToken = Guid.NewGuid();
        collecting.ClaimExpiresAt = DateTime.UtcNow;
        collecting.Collect(DateTime.UtcNow);
        Assert.Equal((ShardState.Collected, (Guid?)null, (DateTime?)null), (collecting.State, collecting.ClaimToken, collecting.ClaimExpiresAt));

        var retried = Shard(ShardState.Collecting);
        retried.JobName = "job-1";
        retried.Retry("Failed: quota");
        Assert.Equal((ShardState.Built, (string?)null, "Failed: quota"), (retried.State, retried.JobName, retried.Error));

        var failed = Shard(ShardState.Collecting);
        failed.Fail("Failed after 3 attempts");
        Assert.Equal(ShardState.Failed, failed.State);

        var released = Shard(ShardState.Collecting);
        var next = DateTime.UtcNow.AddMinutes(1);
        released.Release(next);
        Assert.Equal((ShardState.Submitted, next), (released.State, released.NextPollAt));
    }

    [Theory]
    [InlineData(ShardState.Collected, "CancelSubmit")]
    [InlineData(ShardState.Built, "MarkSubmitted")]
    [InlineData(ShardState.Submitted, "Collect")]
    [InlineData(ShardState.Failed, "Retry")]
    [InlineData(ShardState.Built, "Recollect")]
    public void Shard_IllegalMove_ThrowsNamingShardFromAndTo(ShardState from, string move)
    {
        var shard = Shard(from);
        Action act = move switch
        {
            "CancelSubmit" => shard.CancelSubmit,
            "MarkSubmitted" => () => shard.MarkSubmitted("job", DateTime.UtcNow),
            "Collect" => () => shard.Collect(DateTime.UtcNow),
            "Retry" => () => shard.Retry("x"),
            _ => shard.Recollect,
        };

        var ex = Assert.Throws<InvalidOperationException>(act);
        Assert.StartsWith($"Shard s1: cannot go from {from} to ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(from, shard.State);
    }

    [Fact]
    public void Product_ImageEmbedFail_AndRetryFromTheShardStage()
    {
        var product = Product(ProductStage.Ingested);
        product.MarkImageReady("sha");
        Assert.Equal((ProductStage.ImageReady, "sha"), (product.Stage, product.ImageSha256));

        var sharded = Product(ProductStage.Sharded, shardId: "s1");
        sharded.MarkEmbedded("f1");
        Assert.Equal((ProductStage.Embedded, "f1"), (sharded.Stage, sharded.VectorFileId));

        var failing = Product(ProductStage.Sharded, shardId: "s1");
        failing.Fail(ProductStage.Embedded, "embedding: no result");
        Assert.Equal((true, (ProductStage?)ProductStage.Embedded, "embedding: no result", 1),
            (failing.Failed, failing.FailedStage, failing.LastError, failing.Attempts));

        failing.Retry();
        Assert.Equal((false, ProductStage.ImageReady, (string?)null, (string?)null), (failing.Failed, failing.Stage, failing.ShardId, failing.LastError));
    }

    [Fact]
    public void Product_Reset_StartsOverFromIngested()
    {
        var product = Product(ProductStage.Embedded, failed: true, shardId: "s1");
        product.Reset();
        Assert.Equal((ProductStage.Ingested, false, (string?)null, (string?)null), (product.Stage, product.Failed, product.ShardId, product.ImageSha256));
    }

    [Fact]
    public void Product_IllegalMoves_ThrowNamingProductFromAndTo()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Product(ProductStage.Ingested).MarkEmbedded("f1"));
        Assert.Equal("Product p1: cannot go from Ingested to Embedded.", ex.Message);

        ex = Assert.Throws<InvalidOperationException>(() => Product(ProductStage.Sharded, failed: true).MarkEmbedded("f1"));
        Assert.Equal("Product p1: cannot go from failed Sharded to Embedded.", ex.Message);

        ex = Assert.Throws<InvalidOperationException>(() => Product(ProductStage.Indexed).Fail(ProductStage.Embedded, "x"));
        Assert.Equal("Product p1: cannot go from Indexed to failed at Embedded.", ex.Message);

        Assert.Throws<InvalidOperationException>(() => Product(ProductStage.Sharded).Retry());
    }
}
