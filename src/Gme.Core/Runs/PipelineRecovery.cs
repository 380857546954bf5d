using System.Text.Json;
using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Runs;

/// <summary>
/// After a crash the in-memory bus has lost its messages, but the ledger knows what was in flight. This re-announces
/// every unfinished piece of work so each stage picks it up again; since every consumer is idempotent, announcing
/// something that was in fact finished costs nothing. (Stage 1 re-reads the source itself on RunStarted, and the run
/// saga answers the same RunStarted by checking whether the run is indexed, or asking again for its validation.)
/// </summary>
public sealed class PipelineRecovery(IDbContextFactory<LedgerDbContext> dbFactory)
{
    /// <summary>
    /// Hands back every shard claim now. Only for when no collector can be alive: the embedded profile on start, or the
    /// run watchdog once the Embedder's queues have had no consumer past the stall limit (every instance is gone), so
    /// the restarted ones need not wait for the dead ones' claims to expire.
    /// </summary>
    public async Task<int> ReleaseClaimsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = dbFactory.CreateDbContext();
        return await ShardEntity.ReleaseAllClaimsAsync(db.Shards, cancellationToken);
    }

    /// <param name="runId">The run to resume.</param>
    /// <param name="publisher">Where to announce the work again.</param>
    /// <param name="releaseClaims">
    /// True only where this process is the one collector (the embedded profile): claims on shards being collected were
    /// then held by a process that is gone, and are handed back now rather than after they expire. With several
    /// Embedders (distributed) another one may be collecting right now, so its claim is left to expire.
    /// </param>
    /// <param name="cancellationToken">Cancels the recovery.</param>
    public async Task<int> RequeueAsync(Guid runId, IPublishEndpoint publisher, bool releaseClaims, CancellationToken cancellationToken = default)
    {
        await using var db = dbFactory.CreateDbContext();
        var sent = 0;
        if (releaseClaims)
        {
            await ShardEntity.ReleaseAllClaimsAsync(db.Shards, cancellationToken);
        }

        var collection = await db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => r.Collection).FirstOrDefaultAsync(cancellationToken);
        if (await db.Products.AnyAsync(p => p.LastRunId == runId && p.Stage == ProductStage.ImageReady && !p.Failed && p.ShardId == null, cancellationToken))
        {
            await publisher.Publish(new ImagesDownloaded { RunId = runId, ProductIds = [], Failed = 0, Collection = collection }, cancellationToken);
            sent++;
        }

        var shards = await db.Shards.AsNoTracking()
            .Where(s => s.State == ShardState.Built || s.State == ShardState.Submitting || s.State == ShardState.Submitted
                || s.State == ShardState.Collecting)
            .ToListAsync(cancellationToken);
        foreach (var shard in shards)
        {
            if (shard.State is ShardState.Submitted or ShardState.Collecting)
            {
                await publisher.Publish(new CollectShard { RunId = shard.RunId, ShardId = shard.Id }, cancellationToken);
            }
            else
            {
                await publisher.Publish(new ShardBuilt { RunId = shard.RunId, ShardId = shard.Id, Items = shard.Items }, cancellationToken);
            }

            sent++;
        }

        sent += await RequeueReleasesAsync(db, publisher, cancellationToken);

        var files = await db.VectorFiles.AsNoTracking().Where(f => f.State == VectorFileState.Written).ToListAsync(cancellationToken);
        foreach (var file in files)
        {
            await publisher.Publish(LedgerMessages.Collected(file), cancellationToken);
            sent++;
        }

        // Removals committed by ingest whose index and vector-file half never finished (lost with a killed process).
        var unpurged = await db.Products.CountAsync(p => p.RemovedInRunId == runId && p.PurgedAt == null, cancellationToken);
        if (unpurged > 0)
        {
            await publisher.Publish(new ProductsRemoved { RunId = runId, Products = unpurged, Collection = collection }, cancellationToken);
            sent++;
        }

        return sent;
    }

    /// <summary>
    /// A release that died after its collect committed (the process was killed between deleting the results and the
    /// input, say) leaves the shard collected with files still recorded as held, and the in-memory bus lost the
    /// command. It is sent again as it was committed (the provider's description, spend included), or bare where the
    /// outbox row is gone; a release is idempotent. Without this the files would wait for the end-of-run sweep.
    /// </summary>
    private static async Task<int> RequeueReleasesAsync(LedgerDbContext db, IPublishEndpoint publisher, CancellationToken ct)
    {
        var unreleased = await db.Shards.AsNoTracking()
            .Where(s => s.State == ShardState.Collected && s.JobName != null && db.RemoteFiles.Any(f => f.ShardId == s.Id && f.DeletedAt == null))
            .Select(s => new { s.RunId, s.Id, JobName = s.JobName! })
            .ToListAsync(ct);
        if (unreleased.Count == 0)
        {
            return 0;
        }

        var type = OutboxMessageTypes.NameOf(typeof(ReleaseRemoteJob));
        var committed = (await db.OutboxMessages.AsNoTracking().Where(m => m.MessageType == type).OrderBy(m => m.CreatedAt).Select(m => m.Body).ToListAsync(ct))
            .Select(body => JsonSerializer.Deserialize<ReleaseRemoteJob>(body))
            .OfType<ReleaseRemoteJob>()
            .GroupBy(r => r.JobName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        foreach (var shard in unreleased)
        {
            await publisher.Publish(
                committed.GetValueOrDefault(shard.JobName) ?? new ReleaseRemoteJob { RunId = shard.RunId, ShardId = shard.Id, JobName = shard.JobName }, ct);
        }

        return unreleased.Count;
    }
}
