using System.Collections.Concurrent;
using System.Diagnostics;
using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

/// <summary>
/// The collect claim: one collector per shard at a time (two Embedders, or a poll racing a ShardSubmitted), handed
/// back when collecting fails, and taken over once the claim of a collector that died has expired.
/// </summary>
public sealed class CollectShardClaimTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    private static async Task<StageTestContext> ArrangeAsync()
    {
        var ctx = await StageTestContext.CreateAsync(x => x.AddConsumer<CollectShardConsumer>());
        await using var db = ctx.Db();
        db.Runs.Add(LedgerSeed.Run(s_run));
        var ids = new[] { "P1", "P2", "P3", "P4" };
        foreach (var id in ids)
        {
            db.Products.Add(LedgerSeed.Product(id, s_run, ProductStage.Sharded, "shard-1"));
        }

        var path = Path.Combine(ctx.Paths.Shards, "shard-1.jsonl");
        await ctx.Provider.WriteShardAsync(ids.Select(i => new EmbeddingInput(i, i, "/x.jpg")).ToList(), path);
        var job = await ctx.Provider.SubmitShardAsync("shard-1", path);
        db.Shards.Add(new ShardEntity { Id = "shard-1", RunId = s_run, Path = path, Items = ids.Length, State = ShardState.Submitted, JobName = job, Attempts = 1 });
        await db.SaveChangesAsync();
        return ctx;
    }

    private static async Task<ShardEntity> ShardAsync(StageTestContext ctx)
    {
        await using var db = ctx.Db();
        return await db.Shards.AsNoTracking().SingleAsync();
    }

    [Fact]
    public async Task TwoCollectsAtOnce_OnlyOneReadsTheResults()
    {
        await using var ctx = await ArrangeAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ctx.Provider.ReadGate = gate.Task;

        await ctx.Harness.Bus.Publish(new ShardSubmitted { RunId = s_run, ShardId = "shard-1", JobName = "ignored" });
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref ctx.Provider.ResultReads) == 1), "first collect reading", default);
        Assert.Equal(ShardState.Collecting, (await ShardAsync(ctx)).State);

        // The poller's message arrives while the first collect is still downloading: it finds the claim and leaves.
        await ctx.Harness.Bus.Publish(new CollectShard { RunId = s_run, ShardId = "shard-1" });
        Assert.True(await ctx.Harness.Consumed.Any<CollectShard>());
        gate.SetResult();

        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Collected, "shard collected", default);
        Assert.Equal(1, Volatile.Read(ref ctx.Provider.ResultReads));
        var collected = ctx.Harness.Published.Select<EmbeddingsCollected>().ToList();
        Assert.Single(collected);
        var shard = await ShardAsync(ctx);
        Assert.Null(shard.ClaimToken);
        Assert.Null(shard.ClaimExpiresAt);
    }

    [Fact]
    public async Task CollectThatFails_HandsTheClaimBack_SoTheNextAttemptCollects()
    {
        await using var ctx = await ArrangeAsync();
        ctx.Provider.FailingReads = 1;

        await ctx.Harness.Bus.Publish(new ShardSubmitted { RunId = s_run, ShardId = "shard-1", JobName = "ignored" });
        Assert.True(await ctx.Harness.Published.Any<Fault<ShardSubmitted>>());
        var released = await ShardAsync(ctx);
        Assert.Equal(ShardState.Submitted, released.State);
        Assert.Null(released.ClaimToken);

        // The retry (here: the poller's next CollectShard) finds the shard free at once, not after the claim expires.
        await ctx.Harness.Bus.Publish(new CollectShard { RunId = s_run, ShardId = "shard-1" });
        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Collected, "shard collected", default);
        Assert.Equal(2, Volatile.Read(ref ctx.Provider.ResultReads));
    }

    [Fact]
    public async Task ClaimOfACollectorThatDied_IsRespectedUntilItExpires_ThenTakenOver()
    {
        await using var ctx = await ArrangeAsync();
        await using (var db = ctx.Db())
        {
            // A claim as TryClaimAsync leaves it, held by a collector that is gone.
            var token = Guid.NewGuid();
            var expires = DateTime.UtcNow.AddMinutes(10);
            await db.Shards.ExecuteUpdateAsync(u => u
                .SetProperty(s => s.State, ShardState.Collecting)
                .SetProperty(s => s.ClaimToken, token)
                .SetProperty(s => s.ClaimExpiresAt, expires));
        }

        await ctx.Harness.Bus.Publish(new CollectShard { RunId = s_run, ShardId = "shard-1" });
        Assert.True(await ctx.Harness.Consumed.Any<CollectShard>());
        Assert.Equal(ShardState.Collecting, (await ShardAsync(ctx)).State);
        Assert.Equal(0, Volatile.Read(ref ctx.Provider.ResultReads));

        // The poller hands out only shards whose claim has expired.
        var poller = ActivatorUtilities.CreateInstance<PendingJobPoller>(ctx.Services);
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Single(ctx.Harness.Published.Select<CollectShard>());

        await using (var db = ctx.Db())
        {
            var shard = await db.Shards.SingleAsync();
            shard.ClaimExpiresAt = DateTime.UtcNow.AddSeconds(-1);
            await db.SaveChangesAsync();
        }

        await poller.PollOnceAsync(CancellationToken.None);
        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Collected, "expired claim taken over", default);
        Assert.Equal(2, ctx.Harness.Published.Select<CollectShard>().Count());
        Assert.Equal(1, Volatile.Read(ref ctx.Provider.ResultReads));
    }

    [Fact]
    public async Task JobStillRunning_ReleasesTheClaimAndSchedulesTheNextPoll()
    {
        await using var ctx = await ArrangeAsync();
        await using (var db = ctx.Db())
        {
            var shard = await db.Shards.SingleAsync();
            ctx.Provider.JobOutcomes[2] = new BatchJobStatus(BatchJobState.Running);
            shard.JobName = await ctx.Provider.SubmitShardAsync("shard-1", shard.Path);
            await db.SaveChangesAsync();
        }

        await ctx.Harness.Bus.Publish(new CollectShard { RunId = s_run, ShardId = "shard-1" });
        Assert.True(await ctx.Harness.Consumed.Any<CollectShard>());
        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).NextPollAt is not null, "next poll scheduled", default);
        var polled = await ShardAsync(ctx);
        Assert.Equal(ShardState.Submitted, polled.State);
        Assert.Null(polled.ClaimToken);
        Assert.True(polled.NextPollAt > DateTime.UtcNow);
    }

    [Fact]
    public async Task Poll_AsksForTheCollectInTheTraceTheShardWasBuiltIn()
    {
        await using var ctx = await ArrangeAsync();
        var built = ActivityTraceId.CreateRandom();
        await using (var db = ctx.Db())
        {
            var shard = await db.Shards.SingleAsync();
            shard.TraceParent = $"00-{built}-{ActivitySpanId.CreateRandom()}-01";
            await db.SaveChangesAsync();
        }

        var polls = new ConcurrentQueue<ActivityTraceId>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Gme.Embedder",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.DisplayName == "poll shard" && a.GetTagItem("gme.shard.id") as string == "shard-1")
                {
                    polls.Enqueue(a.TraceId);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await ActivatorUtilities.CreateInstance<PendingJobPoller>(ctx.Services).PollOnceAsync(CancellationToken.None);
        Assert.Equal(built, Assert.Single(polls));
        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Collected, "shard collected", default);
    }

    [Fact]
    public async Task StaleWriter_CannotMoveAShardBackAfterAnotherFinishedIt()
    {
        // Two Embedders handed the same ShardBuilt (a redelivery after a broker restart): the second loaded the shard
        // while the first was still submitting it; by the time it saves, the first has collected it.
        await using var ctx = await ArrangeAsync();
        await using var stale = ctx.Db();
        await stale.Shards.ExecuteUpdateAsync(u => u.SetProperty(s => s.State, ShardState.Submitting));
        var shard = await stale.Shards.SingleAsync();
        await using (var other = ctx.Db())
        {
            await other.Shards.ExecuteUpdateAsync(u => u.SetProperty(s => s.State, ShardState.Collected));
        }

        shard.MarkSubmitted("job-late", DateTime.UtcNow);
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => stale.SaveChangesAsync());
        Assert.Equal(ShardState.Collected, (await ShardAsync(ctx)).State);
    }

    [Fact]
    public async Task CollectOfAShardWhoseProductsMovedOn_KeepsTheExistingFile()
    {
        await using var ctx = await ArrangeAsync();
        await ctx.Harness.Bus.Publish(new ShardSubmitted { RunId = s_run, ShardId = "shard-1", JobName = "ignored" });
        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Collected, "shard collected", default);
        VectorFileEntity file;
        await using (var db = ctx.Db())
        {
            file = await db.VectorFiles.AsNoTracking().SingleAsync();

            // Indexed since, and the shard announced as submitted once more (the race above, before the rule).
            await db.Products.ExecuteUpdateAsync(u => u.SetProperty(p => p.Stage, ProductStage.Indexed));
            await db.Shards.ExecuteUpdateAsync(u => u.SetProperty(s => s.State, ShardState.Submitted));
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(file.Path)));
        await ctx.Harness.Bus.Publish(new CollectShard { RunId = s_run, ShardId = "shard-1" });
        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Collected, "shard collected again", default);
        Assert.Equal(hash, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(file.Path))));
        await using var check = ctx.Db();
        var after = await check.VectorFiles.AsNoTracking().SingleAsync();
        Assert.Equal((file.Rows, file.Sha256), (after.Rows, after.Sha256));
        Assert.Equal(4, after.Rows);
    }
}
