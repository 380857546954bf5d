using System.Diagnostics;
using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Pipeline.Runs.Stalls;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Runs;

/// <summary>
/// Watches the active runs of the distributed profile for two things. (1) Lost messages: the ledger is the outbox; a
/// stage commits its state change, then publishes the message it causes, and a broker restart between the two loses
/// the message. A run whose ledger counts do not move for <see cref="RunWatchdogOptions.StallAfter"/> gets its
/// unfinished work re-announced, exactly as a resumed `gme run` does (consumers are idempotent), then again after
/// twice as long each time, up to <see cref="RunWatchdogOptions.ReannounceMaxInterval"/>. (2) Dead services: a stage
/// queue with work and no consumer for <see cref="RunWatchdogOptions.NoConsumerLimit"/> marks the active runs Stalled,
/// naming the service, and nothing is re-announced into it; once it has a consumer again the runs are taken back.
/// Both kinds of message continue the run's own trace. Distributed profile only: the embedded CLI recovers on start.
/// </summary>
internal sealed class RunWatchdog(
    IDbContextFactory<LedgerDbContext> dbFactory,
    LedgerStatus status,
    PipelineRecovery recovery,
    IBus bus,
    IQueueProbe probe,
    StallDetector stalls,
    IOptions<RunWatchdogOptions> options,
    TimeProvider clock,
    ILogger<RunWatchdog> logger) : BackgroundService
{
    private static readonly IReadOnlyList<string> s_queues = StageQueues.All.Select(q => q.Queue).ToList();
    private readonly ReannounceBackoff _backoff = new(options.Value.StallAfter, options.Value.ReannounceMaxInterval);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckInterval, clock);
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

    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        List<ActiveRun> active;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            active = await db.Runs.AsNoTracking()
                .Where(r => r.Status == RunStatus.Running || r.Status == RunStatus.Validating || r.Status == RunStatus.Stalled)
                .Select(r => new ActiveRun(r.Id, r.Status, r.TraceParent))
                .ToListAsync(cancellationToken);
        }

        _backoff.Keep(active.Select(r => r.Id).ToList());
        if (active.Count == 0)
        {
            stalls.Reset();
            return;
        }

        var stalled = await FindStallsAsync(cancellationToken);
        if (stalled is { Count: > 0 } && stalled.Any(s => s.Service == ResourceNames.Embedder)
            && active.Any(r => r.Status != RunStatus.Stalled))
        {
            // No Embedder has read its queues for the whole limit, so every shard claim belongs to a dead instance:
            // hand them back now, or the restarted Embedders would wait up to the claim timeouts (15-30 min) for them.
            await recovery.ReleaseClaimsAsync(cancellationToken);
        }

        foreach (var run in active)
        {
            if (stalled is null)
            {
                // The broker did not answer: no verdict on stalls this time, but lost messages are still looked for.
                if (run.Status != RunStatus.Stalled)
                {
                    await ReannounceIfStuckAsync(run, cancellationToken);
                }
            }
            else if (stalled.Count > 0)
            {
                _backoff.Forget(run.Id);
                if (run.Status != RunStatus.Stalled)
                {
                    var first = stalled[0];
                    using var activity = StartRunActivity("run stalled", run);
                    activity?.SetTag("gme.stall.service", first.Service);
                    await bus.Publish(new RunStalled { RunId = run.Id, Service = first.Service, Reason = first.Describe() }, cancellationToken);
                    logger.RunStalled(run.Id, first.Service, first.Describe());
                }
            }
            else if (run.Status == RunStatus.Stalled)
            {
                // Consumers are back: take the run back and announce its unfinished work at once (what the dead
                // service had taken off its queue and not finished).
                using var activity = StartRunActivity("run stall cleared", run);
                await bus.Publish(new RunStallCleared { RunId = run.Id }, cancellationToken);
                var sent = await recovery.RequeueAsync(run.Id, bus, releaseClaims: false, cancellationToken);
                logger.RunStallCleared(run.Id);
                logger.RunReannounced(run.Id, sent);
            }
            else
            {
                await ReannounceIfStuckAsync(run, cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyList<QueueStall>?> FindStallsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var states = await probe.ProbeAsync(s_queues, cancellationToken);
            return stalls.Observe(states, clock.GetUtcNow(), options.Value.NoConsumerLimit);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.QueueProbeFailed(ex.GetType().Name);
            return null;
        }
    }

    private async Task ReannounceIfStuckAsync(ActiveRun run, CancellationToken cancellationToken)
    {
        // The counts are read only when a re-announcement could be due, not at every check: on a large run they
        // are a grouped scan of its products.
        if (!_backoff.IsDue(run.Id, clock.GetUtcNow()))
        {
            return;
        }

        var counts = await status.ReadRunAsync(run.Id, cancellationToken);
        if (!_backoff.ShouldReannounce(run.Id, counts, clock.GetUtcNow()))
        {
            return;
        }

        using var activity = StartRunActivity("run re-announce", run);
        if (!counts.IngestDone || counts.Images + counts.Failed < counts.Ingested)
        {
            // Stage 1 re-reads the source and re-announces chunks whose images are not ready.
            await bus.Publish(new RunStarted { RunId = run.Id }, cancellationToken);
        }

        var sent = await recovery.RequeueAsync(run.Id, bus, releaseClaims: false, cancellationToken);
        activity?.SetTag("gme.reannounced.messages", sent);
        logger.RunReannounced(run.Id, sent);
    }

    /// <summary>
    /// An activity in the run's own trace (the request that started it), so what the watchdog sends, and everything
    /// it causes downstream, shows under the run instead of as a new unlinked root.
    /// </summary>
    private static Activity? StartRunActivity(string name, ActiveRun run)
    {
        var activity = ActivityContext.TryParse(run.TraceParent, null, out var parent)
            ? IngestDiagnostics.ActivitySource.StartActivity(name, ActivityKind.Producer, parent)
            : IngestDiagnostics.ActivitySource.StartActivity(name, ActivityKind.Producer);
        activity?.SetTag(IngestDiagnostics.Tags.RunId, run.Id);
        return activity;
    }

    private sealed record ActiveRun(Guid Id, RunStatus Status, string? TraceParent);
}
