using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Gme.Contracts;
using Gme.Core;
using Gme.Core.Embeddings;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using Gme.Core.Storage;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 3: gathers products whose image is ready into shards of <see cref="EmbedderOptions.ShardMaxItems"/>.
/// A partial shard is only cut once nothing more can arrive (ingest finished and no download pending), so a
/// remote batch API gets full shards. Products are claimed with a conditional update inside the transaction that
/// records the shard, so two consumers (or two Embedder instances) never put one product into two shards.
/// </summary>
internal sealed class BuildShardsConsumer(
    LedgerUnitOfWork unitOfWork,
    IEmbeddingProvider provider,
    IImageCache imageCache,
    DataPaths paths,
    IOptions<EmbedderOptions> options,
    TimeProvider clock,
    ILogger<BuildShardsConsumer> logger) : IConsumer<ImagesDownloaded>, IConsumer<DatasetIngested>
{
    public Task Consume(ConsumeContext<ImagesDownloaded> context) => BuildAsync(context, context.Message.RunId);

    public Task Consume(ConsumeContext<DatasetIngested> context) => BuildAsync(context, context.Message.RunId);

    private async Task BuildAsync(ConsumeContext context, Guid runId)
    {
        var ct = context.CancellationToken;
        var maxItems = options.Value.ShardMaxItems;
        while (true)
        {
            // Each shard is its own commit (handed on at once, so submitting starts while more are built); a lost
            // claim race rolls back, so every pass starts from the ledger, not from what the context remembers.
            var db = unitOfWork.Db;
            db.ChangeTracker.Clear();
            var candidates = await db.Products
                .Where(p => p.LastRunId == runId && p.Stage == ProductStage.ImageReady && !p.Failed && p.ShardId == null)
                .OrderBy(p => p.Id)
                .Take(maxItems)
                .ToListAsync(ct);
            if (candidates.Count == 0 || (candidates.Count < maxItems && !await NothingMoreCanArriveAsync(db, runId, ct)))
            {
                return;
            }

            if (await TryBuildAsync(db, runId, candidates, ct))
            {
                await unitOfWork.CommitAsync(ct);
            }
        }
    }

    private static async Task<bool> NothingMoreCanArriveAsync(LedgerDbContext db, Guid runId, CancellationToken ct)
    {
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct);
        return run?.IngestCompletedAt is not null
            && !await db.Products.AnyAsync(p => p.LastRunId == runId && p.Stage == ProductStage.Ingested && !p.Failed, ct);
    }

    private async Task<bool> TryBuildAsync(LedgerDbContext db, Guid runId, List<ProductEntity> items, CancellationToken ct)
    {
        using var activity = EmbedderDiagnostics.ActivitySource.StartActivity("build shard");
        var ids = items.Select(p => p.Id).ToList();
        // The same products (ids and content) in two catalogues make two shards: another collection's name is part of
        // the key. The default catalogue's shards keep the ids they had before catalogues were named.
        var shardId = ShardIdFor(items.Select(p => (p.Collection == GmeOptions.DefaultCollection ? p.Id : p.Collection + "/" + p.Id,
            p.ContentHash + p.ImageSha256)), provider.ModelId);
        activity?.SetTag(EmbedderDiagnostics.Tags.ShardId, shardId);
        var path = Path.Combine(paths.Shards, shardId + ".jsonl");
        var inputs = items.Select(p => new EmbeddingInput(p.Id, p.Text, imageCache.PathFor(p.ImageSha256!))).ToList();
        var info = await provider.WriteShardAsync(inputs, path, ct);

        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var shard = await db.Shards.FirstOrDefaultAsync(s => s.Id == shardId, ct);
        if (shard is null)
        {
            shard = new ShardEntity
            {
                Id = shardId,
                RunId = runId,
                Path = path,
                Items = info.Lines,
                Bytes = info.Bytes,
                EstimatedTokens = info.EstimatedTokens,
                CreatedAt = now,
                TraceParent = Activity.Current?.Id,
            };
            db.Shards.Add(shard);
            await db.SaveChangesAsync(ct);
        }
        else if (shard.State is not ShardState.Built)
        {
            // The same items (same content) come back after an earlier shard of them failed: start its life again.
            // Results a provider still holds for it are reused, which is right because the content is identical.
            shard.Rebuild(runId, Activity.Current?.Id);
            await db.SaveChangesAsync(ct);
        }

        var claimed = await ProductEntity.ClaimForShardAsync(db.Products, runId, ids, shardId, now, ct);
        if (claimed != ids.Count)
        {
            // Someone else claimed part of this set first: undo and let the loop pick the remaining products.
            await tx.RollbackAsync(ct);
            return false;
        }

        unitOfWork.Publish(new ShardBuilt { RunId = runId, ShardId = shard.Id, Items = shard.Items });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        EmbedderDiagnostics.ShardsBuilt.Add(1);
        logger.ShardBuilt(shardId, ids.Count);
        return true;
    }

    /// <summary>
    /// Same products with the same content for the same model, same shard id: a rebuilt shard reuses its id, file name
    /// and remote display name, while changed content, or another model or size (a new index version), gives a new id
    /// so stale results can never be matched to it.
    /// </summary>
    internal static string ShardIdFor(IEnumerable<(string Id, string Fingerprint)> products, string modelId = "")
    {
        var joined = string.Join('\n', products.Select(p => p.Id + "\t" + p.Fingerprint).Order(StringComparer.Ordinal))
            + (modelId.Length == 0 ? "" : "\n" + modelId);
        return "shard-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)))[..24];
    }
}
