using Gme.Contracts;
using Gme.Core.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 8 as a consumer: validates once, records the outcome on the run, and answers repeats from the ledger. The
/// run's status is the saga's: RunValidated tells it the run is complete.
/// </summary>
internal sealed class ValidateRunConsumer(
    LedgerUnitOfWork unitOfWork,
    RunValidator validator,
    Versions.IndexVersions versions,
    TimeProvider clock,
    ILogger<ValidateRunConsumer> logger) : IConsumer<ValidateRun>
{
    public async Task Consume(ConsumeContext<ValidateRun> context)
    {
        var ct = context.CancellationToken;
        var runId = context.Message.RunId;
        var db = unitOfWork.Db;
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null)
        {
            return;
        }

        if (run is { CompletedAt: not null, ValidationPassed: { } passed })
        {
            // A repeat after a crash between the commit and the version's settling finishes that first.
            if (run.ReportPath is { } saved && File.Exists(saved))
            {
                await versions.SettleAsync(runId, await RunValidator.ReadAsync(saved, ct), ct);
            }

            unitOfWork.Publish(new RunValidated { RunId = runId, Passed = passed });
            return;
        }

        using var activity = IndexerDiagnostics.ActivitySource.StartActivity("validate run");
        activity?.SetTag(IndexerDiagnostics.Tags.RunId, runId);
        var report = await validator.ValidateAsync(runId, ct);
        var path = await validator.SaveAsync(report, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        run.ValidationPassed = report.Passed;
        run.ReportPath = path;
        run.CompletedAt = now;
        run.UpdatedAt = now;
        run.Error = report.Passed ? null : string.Join("; ", report.Problems);
        unitOfWork.Publish(new RunValidated { RunId = runId, Passed = report.Passed });
        await db.SaveChangesAsync(ct);
        logger.RunValidated(runId, report.Passed ? "passed" : "FAILED", path);

        // After the commit, before RunValidated leaves the outbox: a passed version goes live (the alias switches), a
        // refused one is recorded and the live version stays; whoever follows the run sees the switch done.
        await versions.SettleAsync(runId, report, ct);
    }
}
