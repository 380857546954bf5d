using Gme.Contracts;
using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Runs;

/// <summary>
/// After a crash the in-memory bus has lost its messages, but the ledger knows what was in flight. This re-announces
/// every unfinished piece of work so each stage picks it up again; since every consumer is idempotent, announcing
/// something that was in fact finished costs nothing. (Stage 1 re-reads the source itself on RunStarted.)
/// </summary>
public sealed class PipelineRecovery(IDbContextFactory<LedgerDbContext> dbFactory)
{
    public async Task<int> RequeueAsync(Guid runId, IPublishEndpoint publisher, CancellationToken cancellationToken = default)
    {
        await using var db = dbFactory.CreateDbContext();
        var sent = 0;

        if (await db.Products.AnyAsync(p => p.LastRunId == runId && p.Stage == ProductStage.ImageReady && !p.Failed && p.ShardId == null, cancellationToken))
        {
            await publisher.Publish(new ImagesDownloaded { RunId = runId, ProductIds = [], Failed = 0 }, cancellationToken);
            sent++;
        }

        var shards = await db.Shards.AsNoTracking()
            .Where(s => s.State == ShardState.Built || s.State == ShardState.Submitting || s.State == ShardState.Submitted)
            .ToListAsync(cancellationToken);
        foreach (var shard in shards)
        {
            if (shard.State is ShardState.Submitted)
            {
                await publisher.Publish(new CollectShard { RunId = shard.RunId, ShardId = shard.Id }, cancellationToken);
            }
            else
            {
                await publisher.Publish(new ShardBuilt { RunId = shard.RunId, ShardId = shard.Id, Items = shard.Items }, cancellationToken);
            }

            sent++;
        }

        var files = await db.VectorFiles.AsNoTracking().Where(f => f.State == VectorFileState.Written).ToListAsync(cancellationToken);
        foreach (var file in files)
        {
            await publisher.Publish(LedgerMessages.Collected(file), cancellationToken);
            sent++;
        }

        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is { IndexedAt: not null, Status: not RunStatus.Completed })
        {
            await publisher.Publish(new RunIndexed { RunId = runId }, cancellationToken);
            sent++;
        }

        return sent;
    }
}
