using Gme.Contracts;
using Gme.Core.Sagas;
using Gme.Ingest.Runs;
using Gme.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Gme.Tests.Stages;

public sealed class RunStateMachineTests
{
    [Fact]
    public async Task Run_FollowsPhasesAndAsksForValidationOnce_PerIndexedAnnouncement()
    {
        await using var ctx = await StageTestContext.CreateAsync(x => x.AddSagaStateMachine<RunStateMachine, RunState>().LedgerRepository());
        var runId = Guid.NewGuid();
        var saga = ctx.Harness.GetSagaStateMachineHarness<RunStateMachine, RunState>();

        await ctx.Harness.Bus.Publish(new RunStarted { RunId = runId });
        Assert.True(await saga.Consumed.Any<RunStarted>());
        await ctx.Harness.Bus.Publish(new DatasetIngested { RunId = runId, Accepted = 10, Rejected = 2 });
        Assert.True(await saga.Consumed.Any<DatasetIngested>());

        // "Consumed" is reported before the repository's transaction commits: wait for the row itself.
        var data = await Eventually.ValueAsync(
            async () =>
            {
                await using var db = ctx.Db();
                return (await db.SagaInstances.AsNoTracking().SingleOrDefaultAsync())?.Data ?? "";
            },
            d => d.Contains("\"Indexing\"", StringComparison.Ordinal),
            "the saga row to reach Indexing");

        Assert.Contains("\"Rejected\":2", data);

        await ctx.Harness.Bus.Publish(new RunIndexed { RunId = runId });
        Assert.True(await ctx.Harness.Published.Any<ValidateRun>());
        await ctx.Harness.Bus.Publish(new RunValidated { RunId = runId, Passed = true });
        Assert.True(await saga.Consumed.Any<RunValidated>());

        // Finalized instances are removed, so an empty table means the saga finished.
        await Eventually.TrueAsync(
            async () =>
            {
                await using var db = ctx.Db();
                return !await db.SagaInstances.AnyAsync();
            },
            "the saga to finish");
    }
}
