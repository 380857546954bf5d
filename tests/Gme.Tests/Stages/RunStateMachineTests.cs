using Gme.Contracts;
using Gme.Core.Sagas;
using Gme.Ingest.Runs;
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
        var data = "";
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!data.Contains("\"Indexing\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < until, $"the saga row never reached Indexing: {data}");
            await Task.Delay(50);
            await using var db = ctx.Db();
            data = (await db.SagaInstances.SingleAsync()).Data;
        }

        Assert.Contains("\"Rejected\":2", data);

        await ctx.Harness.Bus.Publish(new RunIndexed { RunId = runId });
        Assert.True(await ctx.Harness.Published.Any<ValidateRun>());
        await ctx.Harness.Bus.Publish(new RunValidated { RunId = runId, Passed = true });
        Assert.True(await saga.Consumed.Any<RunValidated>());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var db = ctx.Db();
            if (!await db.SagaInstances.AnyAsync())
            {
                break; // finalized instances are removed
            }

            Assert.True(DateTime.UtcNow < deadline, "the saga did not finish");
            await Task.Delay(50);
        }
    }
}
