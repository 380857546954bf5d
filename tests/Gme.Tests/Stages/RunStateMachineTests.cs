using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Sagas;
using Gme.Pipeline.Runs;
using Gme.Tests.Support;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;

namespace Gme.Tests.Stages;

/// <summary>The run saga on the run row: the one owner of a run's status.</summary>
public sealed class RunStateMachineTests
{
    private static async Task<StageTestContext> ArrangeAsync(RunEntity run, params ProductEntity[] products)
    {
        var ctx = await StageTestContext.CreateAsync(x =>
        {
            x.AddSagaStateMachine<RunStateMachine, RunEntity>().LedgerRepository();
            x.AddConsumer<FailingShardConsumer>();
        });
        await using var db = ctx.Db();
        db.Runs.Add(run);
        db.Products.AddRange(products);
        await db.SaveChangesAsync();
        return ctx;
    }

    private static Task<RunEntity> RunWhenAsync(StageTestContext ctx, Guid runId, Func<RunEntity, bool> done, string what) =>
        Eventually.ValueAsync(
            async () =>
            {
                await using var db = ctx.Db();
                return await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
            },
            done,
            what);

    [Fact]
    public async Task LastProductIndexed_AsksForValidationOnce_ThenRunValidatedCompletes()
    {
        var runId = Guid.NewGuid();
        await using var ctx = await ArrangeAsync(LedgerSeed.Run(runId), LedgerSeed.Product("P1", runId, ProductStage.Indexed));

        await ctx.Harness.Bus.Publish(new VectorsUpserted { RunId = runId, VectorFileId = "f1", Points = 1 });
        var validating = await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Validating, "the run to be validating");
        Assert.NotNull(validating.IndexedAt);
        Assert.True(await ctx.Harness.Published.Any<ValidateRun>(m => m.Context.Message.RunId == runId));

        // A duplicate and a late stage event change nothing and ask for nothing more.
        await ctx.Harness.Bus.Publish(new VectorsUpserted { RunId = runId, VectorFileId = "f1", Points = 1 });
        await ctx.Harness.Bus.Publish(new DatasetIngested { RunId = runId, Accepted = 1, Rejected = 0 });
        Assert.True(await ctx.Harness.Consumed.Any<DatasetIngested>());

        await ctx.Harness.Bus.Publish(new RunValidated { RunId = runId, Passed = true });
        await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Completed, "the run to be completed");
        Assert.Single(ctx.Harness.Published.Select<ValidateRun>());

        await using var db = ctx.Db();
        var final = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
        Assert.Equal(RunStatus.Completed, final.Status);
        Assert.Null(final.Error);
    }

    [Fact]
    public async Task StageEvent_ProductsStillOnTheirWay_RunKeepsRunning()
    {
        var runId = Guid.NewGuid();
        await using var ctx = await ArrangeAsync(
            LedgerSeed.Run(runId),
            LedgerSeed.Product("P1", runId, ProductStage.Indexed),
            LedgerSeed.Product("P2", runId, ProductStage.Embedded));
        var saga = ctx.Harness.GetSagaStateMachineHarness<RunStateMachine, RunEntity>();

        await ctx.Harness.Bus.Publish(new VectorsUpserted { RunId = runId, VectorFileId = "f1", Points = 1 });
        Assert.True(await saga.Consumed.Any<VectorsUpserted>());

        await using var db = ctx.Db();
        var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Null(run.IndexedAt);
        Assert.False(await ctx.Harness.Published.Any<ValidateRun>());
    }

    [Fact]
    public async Task FaultOfAStageMessage_FailsTheRunWithTheReason_AndRunStartedResumesIt()
    {
        var runId = Guid.NewGuid();
        await using var ctx = await ArrangeAsync(LedgerSeed.Run(runId), LedgerSeed.Product("P1", runId, ProductStage.Sharded));

        await ctx.Harness.Bus.Publish(new ShardBuilt { RunId = runId, ShardId = "s1", Items = 1 });
        var failed = await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Failed, "the run to fail");
        Assert.Equal("ShardBuilt failed: InvalidOperationException: disk full", failed.Error);

        await ctx.Harness.Bus.Publish(new RunStarted { RunId = runId });
        var resumed = await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Running, "the run to resume");
        Assert.Null(resumed.Error);
    }

    [Fact]
    public async Task RunPaused_RunningRun_IsPausedWithTheReason_UntilRunStarted()
    {
        var runId = Guid.NewGuid();
        await using var ctx = await ArrangeAsync(LedgerSeed.Run(runId), LedgerSeed.Product("P1", runId, ProductStage.Sharded));

        await ctx.Harness.Bus.Publish(new RunPaused { RunId = runId, Reason = "cost cap of $1.00 reached" });
        var paused = await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Paused, "the run to pause");
        Assert.Equal("cost cap of $1.00 reached", paused.Error);

        // Out of order: a validation result for a run that never asked for one is ignored.
        await ctx.Harness.Bus.Publish(new RunValidated { RunId = runId, Passed = true });
        var saga = ctx.Harness.GetSagaStateMachineHarness<RunStateMachine, RunEntity>();
        Assert.True(await saga.Consumed.Any<RunValidated>());
        await using (var db = ctx.Db())
        {
            Assert.Equal(RunStatus.Paused, (await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId)).Status);
        }

        await ctx.Harness.Bus.Publish(new RunStarted { RunId = runId });
        await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Running && r.Error is null, "the run to resume");
    }

    [Fact]
    public async Task RunStarted_FailedRunThatWasIndexed_GoesBackToValidation()
    {
        var runId = Guid.NewGuid();
        var run = LedgerSeed.Run(runId, status: RunStatus.Failed);
        run.IndexedAt = DateTime.UtcNow;
        run.Error = "ValidateRun failed: IOException: disk full";
        await using var ctx = await ArrangeAsync(run, LedgerSeed.Product("P1", runId, ProductStage.Indexed));

        await ctx.Harness.Bus.Publish(new RunStarted { RunId = runId });

        var validating = await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Validating, "the run to be validated again");
        Assert.Null(validating.Error);
        Assert.True(await ctx.Harness.Published.Any<ValidateRun>(m => m.Context.Message.RunId == runId));
    }

    [Fact]
    public async Task RunStalled_RunningRun_IsStalledNamingTheService_UntilTheStallClears()
    {
        var runId = Guid.NewGuid();
        await using var ctx = await ArrangeAsync(LedgerSeed.Run(runId), LedgerSeed.Product("P1", runId, ProductStage.Sharded));

        await ctx.Harness.Bus.Publish(new RunStalled { RunId = runId, Service = "gme-embedder", Reason = "gme-embedder is not consuming: queue submit-shard" });
        var stalled = await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Stalled, "the run to stall");
        Assert.Equal("gme-embedder", stalled.StalledService);
        Assert.Equal("gme-embedder is not consuming: queue submit-shard", stalled.Error);

        // Stage events while stalled leave it stalled: the service is still missing.
        await ctx.Harness.Bus.Publish(new DatasetIngested { RunId = runId, Accepted = 1, Rejected = 0 });
        var saga = ctx.Harness.GetSagaStateMachineHarness<RunStateMachine, RunEntity>();
        Assert.True(await saga.Consumed.Any<DatasetIngested>());
        await using (var db = ctx.Db())
        {
            Assert.Equal(RunStatus.Stalled, (await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId)).Status);
        }

        await ctx.Harness.Bus.Publish(new RunStallCleared { RunId = runId });
        var running = await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Running, "the run to go on");
        Assert.Null(running.StalledService);
        Assert.Null(running.Error);
    }

    [Fact]
    public async Task RunStallCleared_LastProductIndexedWhileStalled_GoesOnToValidation()
    {
        // The Indexer came back and indexed the last product; its event reached the saga while the run was still
        // Stalled (and changed nothing), so leaving the stall must find it in the ledger.
        var runId = Guid.NewGuid();
        var run = LedgerSeed.Run(runId, status: RunStatus.Stalled);
        run.StalledService = "gme-indexer";
        run.Error = "gme-indexer is not consuming";
        await using var ctx = await ArrangeAsync(run, LedgerSeed.Product("P1", runId, ProductStage.Indexed));

        await ctx.Harness.Bus.Publish(new RunStallCleared { RunId = runId });
        var validating = await RunWhenAsync(ctx, runId, r => r.Status == RunStatus.Validating, "the run to be validated");
        Assert.Null(validating.StalledService);
        Assert.Null(validating.Error);
        Assert.True(await ctx.Harness.Published.Any<ValidateRun>(m => m.Context.Message.RunId == runId));
    }

    [Fact]
    public async Task RunStallCleared_RunNotStalled_ChangesNothing()
    {
        var runId = Guid.NewGuid();
        await using var ctx = await ArrangeAsync(LedgerSeed.Run(runId), LedgerSeed.Product("P1", runId, ProductStage.Sharded));
        await ctx.Harness.Bus.Publish(new RunStallCleared { RunId = runId });
        var saga = ctx.Harness.GetSagaStateMachineHarness<RunStateMachine, RunEntity>();
        Assert.True(await saga.Consumed.Any<RunStallCleared>());
        await using var db = ctx.Db();
        var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Null(run.Error);
    }

    [Fact]
    public async Task EventsForAnUnknownRun_AreDiscarded_WithoutCreatingARun()
    {
        var known = Guid.NewGuid();
        await using var ctx = await ArrangeAsync(LedgerSeed.Run(known));
        var saga = ctx.Harness.GetSagaStateMachineHarness<RunStateMachine, RunEntity>();

        await ctx.Harness.Bus.Publish(new RunPaused { RunId = Guid.NewGuid(), Reason = "x" });
        await ctx.Harness.Bus.Publish(new RunStarted { RunId = Guid.NewGuid() });
        Assert.True(await ctx.Harness.Consumed.Any<RunStarted>());

        await using var db = ctx.Db();
        Assert.Equal([known], await db.Runs.Select(r => r.Id).ToListAsync());
        Assert.False(await saga.Consumed.Any<RunPaused>(m => m.Exception is not null));
    }
}

/// <summary>A stage that gives up on every shard (the harness has no retry, so its fault is published at once).</summary>
internal sealed class FailingShardConsumer : IConsumer<ShardBuilt>
{
    public Task Consume(ConsumeContext<ShardBuilt> context) => throw new InvalidOperationException("disk full");
}
