using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Runs;

/// <summary>
/// The ledger is the outbox. A stage commits its state change, then publishes the message it causes; when the broker
/// is down or restarting between the two, the message is lost while the state says the work is ready. Every
/// <see cref="RunWatchdogOptions.StallAfter"/> this re-announces the unfinished work of each running run whose ledger
/// counts did not move, exactly as a resumed `gme run` does; consumers are idempotent, so a needless announcement
/// costs a ledger read. Distributed profile only: the embedded CLI recovers on start.
/// </summary>
internal sealed class RunWatchdog(
    IDbContextFactory<LedgerDbContext> dbFactory,
    LedgerStatus status,
    PipelineRecovery recovery,
    IBus bus,
    IOptions<RunWatchdogOptions> options,
    TimeProvider clock,
    ILogger<RunWatchdog> logger) : BackgroundService
{
    private readonly Dictionary<Guid, RunProgressCounts> _lastSeen = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StallAfter, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database or the broker is away; the next tick tries again.
                logger.WatchdogFailed(ex.GetType().Name);
            }
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        List<Guid> running;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            running = await db.Runs.AsNoTracking()
                .Where(r => r.Status == RunStatus.Running || r.Status == RunStatus.Validating)
                .Select(r => r.Id).ToListAsync(cancellationToken);
        }

        foreach (var gone in _lastSeen.Keys.Except(running).ToList())
        {
            _lastSeen.Remove(gone);
        }

        foreach (var runId in running)
        {
            var counts = await status.ReadRunAsync(runId, cancellationToken);
            if (_lastSeen.TryGetValue(runId, out var before) && before == counts)
            {
                if (!counts.IngestDone || counts.Images + counts.Failed < counts.Ingested)
                {
                    // Stage 1 re-reads the source and re-announces chunks whose images are not ready.
                    await bus.Publish(new RunStarted { RunId = runId }, cancellationToken);
                }

                var sent = await recovery.RequeueAsync(runId, bus, releaseClaims: false, cancellationToken);
                logger.RunReannounced(runId, sent);
            }

            _lastSeen[runId] = counts;
        }
    }
}
