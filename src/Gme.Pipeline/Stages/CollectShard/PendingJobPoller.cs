using System.Diagnostics;
using Gme.Contracts;
using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Remote batch jobs take minutes to hours; holding a message that long would trip broker timeouts. Instead the
/// collect stage records when to look again, and this poller asks it to, from the ledger, so polling also survives
/// a restart of the process. A shard whose collector died mid-collect is handed out again once its claim expires.
/// </summary>
internal sealed class PendingJobPoller(
    IDbContextFactory<LedgerDbContext> dbFactory,
    IBus bus,
    IOptions<EmbedderOptions> options,
    TimeProvider clock,
    ILogger<PendingJobPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.PollFailed(ex);
            }
        }
    }

    internal async Task PollOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = dbFactory.CreateDbContext();
        var due = await db.Shards.AsNoTracking()
            .Where(s => (s.State == ShardState.Submitted && (s.NextPollAt == null || s.NextPollAt <= now))
                || (s.State == ShardState.Collecting && s.ClaimExpiresAt < now))
            .Select(s => new { s.RunId, s.Id, s.TraceParent })
            .ToListAsync(ct);
        foreach (var shard in due)
        {
            // In the trace of the batch the shard was built from, not a new one per poll.
            using var activity = EmbedderDiagnostics.ActivitySource.StartActivity("poll shard", ActivityKind.Producer, shard.TraceParent);
            activity?.SetTag(EmbedderDiagnostics.Tags.ShardId, shard.Id);
            await bus.Publish(new CollectShard { RunId = shard.RunId, ShardId = shard.Id }, ct);
        }
    }
}
