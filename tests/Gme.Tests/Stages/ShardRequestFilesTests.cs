using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;

namespace Gme.Tests.Stages;

/// <summary>Request files go with the release after a collect, and come back from the ledger when a collect needs them.</summary>
public sealed class ShardRequestFilesTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    private static async Task<(StageTestContext Context, string Path)> ArrangeAsync(ShardState state)
    {
        var ctx = await StageTestContext.CreateAsync(x =>
        {
            x.AddConsumer<CollectShardConsumer>();
            x.AddConsumer<ReleaseRemoteJobConsumer>();
        });
        await using var db = ctx.Db();
        db.Runs.Add(LedgerSeed.Run(s_run));
        var ids = new[] { "P1", "P2", "P3" };
        foreach (var id in ids)
        {
            db.Products.Add(LedgerSeed.Product(id, s_run, ProductStage.Sharded, "shard-1"));
        }

        var path = Path.Combine(ctx.Paths.Shards, "shard-1.jsonl");
        await ctx.Provider.WriteShardAsync(ids.Select(i => new EmbeddingInput(i, "Item " + i, "/x.jpg")).ToList(), path);
        var job = await ctx.Provider.SubmitShardAsync("shard-1", path);
        db.Shards.Add(new ShardEntity { Id = "shard-1", RunId = s_run, Path = path, Items = ids.Length, State = state, JobName = job, Attempts = 1 });
        await db.SaveChangesAsync();
        return (ctx, path);
    }

    [Fact]
    public async Task Collect_Succeeded_DeletesTheRequestFileOnceTheReleaseRuns()
    {
        var (ctx, path) = await ArrangeAsync(ShardState.Submitted);
        await using var _ = ctx;

        await ctx.Harness.Bus.Publish(new ShardSubmitted { RunId = s_run, ShardId = "shard-1", JobName = "ignored" });

        Assert.True(await ctx.Harness.Consumed.Any<ReleaseRemoteJob>());
        await Eventually.TrueAsync(() => !File.Exists(path), "the request file to be deleted after the collect");
        await using var db = ctx.Db();
        Assert.Equal(ShardState.Collected, (await db.Shards.SingleAsync()).State);
    }

    [Fact]
    public async Task Release_ForAShardNoLongerCollected_KeepsTheRequestFile()
    {
        // A late (redelivered) release of a shard that was sent back to be collected again.
        var (ctx, path) = await ArrangeAsync(ShardState.Submitted);
        await using var _ = ctx;

        await ctx.Harness.Bus.Publish(new ReleaseRemoteJob { RunId = s_run, ShardId = "shard-1", JobName = "job" });

        Assert.True(await ctx.Harness.Consumed.Any<ReleaseRemoteJob>());
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Collect_RequestFileGone_RebuildsItFromTheLedgerFirst()
    {
        var (ctx, path) = await ArrangeAsync(ShardState.Submitted);
        await using var _ = ctx;
        File.Delete(path);

        await ctx.Harness.Bus.Publish(new ShardSubmitted { RunId = s_run, ShardId = "shard-1", JobName = "ignored" });

        // The fake provider answers one result per line of the request file: every product embedded means the
        // rebuilt file held every product still to embed.
        Assert.True(await ctx.Harness.Published.Any<EmbeddingsCollected>());
        await using var db = ctx.Db();
        Assert.All(await db.Products.ToListAsync(), p => Assert.Equal(ProductStage.Embedded, p.Stage));
    }
}
