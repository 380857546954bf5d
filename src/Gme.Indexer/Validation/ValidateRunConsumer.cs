using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Indexer.Validation;

/// <summary>Stage 8 as a consumer: validates once, records the outcome on the run, and answers repeats from the ledger.</summary>
internal sealed class ValidateRunConsumer(
    IDbContextFactory<LedgerDbContext> dbFactory,
    RunValidator validator,
    TimeProvider clock,
    ILogger<ValidateRunConsumer> logger) : IConsumer<ValidateRun>
{
    public async Task Consume(ConsumeContext<ValidateRun> context)
    {
        var ct = context.CancellationToken;
        var runId = context.Message.RunId;
        await using var db = dbFactory.CreateDbContext();
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null)
        {
            return;
        }

        var outbox = new LedgerOutbox(db, clock);
        if (run.Status is RunStatus.Completed && run.ValidationPassed is { } passed)
        {
            outbox.Publish(new RunValidated { RunId = runId, Passed = passed });
            await outbox.DeliverAsync(context, ct);
            return;
        }

        using var activity = Diagnostics.ActivitySource.StartActivity("validate run");
        activity?.SetTag(Diagnostics.Tags.RunId, runId);
        run.Status = RunStatus.Validating;
        await db.SaveChangesAsync(ct);

        var report = await validator.ValidateAsync(runId, ct);
        var path = await validator.SaveAsync(report, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        run.Status = RunStatus.Completed;
        run.ValidationPassed = report.Passed;
        run.ReportPath = path;
        run.CompletedAt = now;
        run.UpdatedAt = now;
        run.Error = report.Passed ? null : string.Join("; ", report.Problems);
        outbox.Publish(new RunValidated { RunId = runId, Passed = report.Passed });
        await db.SaveChangesAsync(ct);
        logger.RunValidated(runId, report.Passed ? "passed" : "FAILED", path);
        await outbox.DeliverAsync(context, ct);
    }
}
