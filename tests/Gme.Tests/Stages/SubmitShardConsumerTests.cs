using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Sagas;
using Gme.Pipeline.Runs;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;

namespace Gme.Tests.Stages;

public sealed class SubmitShardConsumerTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    /// <summary>A run with one built, one-item shard written to disk, waiting to be submitted.</summary>
    private static async Task<StageTestContext> ArrangeAsync(string shardId, bool withRunSaga = false)
    {
        var ctx = await StageTestContext.CreateAsync(x =>
        {
            x.AddConsumer<SubmitShardConsumer>();
            if (withRunSaga)
            {
                x.AddSagaStateMachine<RunStateMachine, RunEntity>().LedgerRepository();
            }
        });
        var path = Path.Combine(ctx.Paths.Shards, $"{shardId}.jsonl");
        await ctx.Provider.WriteShardAsync([new EmbeddingInput("P1", "t", "/x.jpg")], path);
        await using var db = ctx.Db();
        db.Runs.Add(LedgerSeed.Run(s_run));
        db.Shards.Add(new ShardEntity { Id = shardId, RunId = s_run, Path = path, Items = 1, State = ShardState.Built });
        await db.SaveChangesAsync();
        return ctx;
    }

    [Fact]
    public async Task Consume_BuiltShard_RecordsIntentSubmitsOnceAndAnnouncesTheJob()
    {
        await using var ctx = await ArrangeAsync("shard-9");
        await ctx.Harness.Bus.Publish(new ShardBuilt { RunId = s_run, ShardId = "shard-9", Items = 1 });
        Assert.True(await ctx.Harness.Published.Any<ShardSubmitted>());
        await using (var db = ctx.Db())
        {
            var shard = await db.Shards.SingleAsync();
            Assert.Equal(ShardState.Submitted, shard.State);
            Assert.Equal("shard-9", shard.DisplayName);
            Assert.Equal("fake-shard-9-1", shard.JobName);
            Assert.Equal(1, shard.Attempts);
        }

        // Redelivered: the recorded job is announced again and nothing is submitted (or paid for) twice.
        await ctx.Harness.Bus.Publish(new ShardBuilt { RunId = s_run, ShardId = "shard-9", Items = 1 });
        await Eventually.TrueAsync(() => ctx.Harness.Published.Select<ShardSubmitted>().Count() >= 2, "the redelivered message to be answered");

        Assert.Equal(1, ctx.Provider.Submissions);
        Assert.All(ctx.Harness.Published.Select<ShardSubmitted>(), m => Assert.Equal("fake-shard-9-1", m.Context.Message.JobName));
    }

    [Fact]
    public async Task Consume_ProviderAtCostCap_RunPausedShardStaysBuilt()
    {
        await using var ctx = await ArrangeAsync("shard-7", withRunSaga: true);
        ctx.Provider.BudgetExceeded = "cost cap of $1.00 reached";

        await ctx.Harness.Bus.Publish(new ShardBuilt { RunId = s_run, ShardId = "shard-7", Items = 1 });
        Assert.True(await ctx.Harness.Consumed.Any<ShardBuilt>());

        // The stage reports the pause; the run saga, the only writer of a run's status, pauses the run.
        Assert.True(await ctx.Harness.Published.Any<RunPaused>(m => m.Context.Message.Reason == "cost cap of $1.00 reached"));
        var run = await Eventually.ValueAsync(
            async () =>
            {
                await using var db = ctx.Db();
                return await db.Runs.AsNoTracking().SingleAsync();
            },
            r => r.Status == RunStatus.Paused,
            "the run to be paused");
        Assert.Equal("cost cap of $1.00 reached", run.Error);
        await using (var db = ctx.Db())
        {
            var shard = await db.Shards.SingleAsync();
            Assert.Equal(ShardState.Built, shard.State);
            Assert.Equal(0, shard.Attempts);
        }

        Assert.Empty(ctx.Harness.Published.Select<ShardSubmitted>());
    }
}
