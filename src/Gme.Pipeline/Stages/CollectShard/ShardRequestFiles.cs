using System.Data.Common;
using Gme.Core.Embeddings;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Stages;

/// <summary>
/// A shard's request file (JSONL with each product's text and photo, base64, for a batch provider) is the largest
/// thing in the data dir, ~57 MB per 2,000 products, and is dead weight once the shard's vectors are collected:
/// the release after the collect's commit deletes it. Should the shard be collected again (its vector file lost)
/// or resubmitted, the collect rebuilds it first from the ledger's products and the image cache, which is what built
/// it in the first place, so the data dir only ever holds the request files of shards not yet collected.
/// </summary>
internal sealed class ShardRequestFiles(
    IDbContextFactory<LedgerDbContext> dbFactory,
    IEmbeddingProvider provider,
    IImageCache imageCache,
    DataPaths paths,
    ILogger<ShardRequestFiles> logger)
{
    /// <summary>After the collect committed: deletes the file if the ledger still has the shard collected.</summary>
    public async Task DeleteCollectedAsync(string shardId, CancellationToken cancellationToken)
    {
        var path = Path.Combine(paths.Shards, shardId + ".jsonl");
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // A late release (redelivered) must not take the file from a shard sent back to be collected again.
            var state = await db.Shards.AsNoTracking().Where(s => s.Id == shardId).Select(s => (ShardState?)s.State).FirstOrDefaultAsync(cancellationToken);
            if (state is ShardState.Collected)
            {
                File.Delete(path);
                logger.RequestFileDeleted(shardId);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DbException)
        {
            // Only disk space is at stake: the next release of this shard, or a rerun of it, tries again.
            logger.RequestFileNotDeleted(shardId, ex);
        }
    }

    /// <summary>Writes the shard's request file again, from its products still to embed, when it was deleted.</summary>
    public async Task EnsureAsync(ShardEntity shard, IReadOnlyList<ProductEntity> products, CancellationToken cancellationToken)
    {
        if (File.Exists(shard.Path) || products.Count == 0)
        {
            return;
        }

        var inputs = products
            .OrderBy(p => p.Id, StringComparer.Ordinal)
            .Select(p => new EmbeddingInput(p.Id, p.Text, imageCache.PathFor(p.ImageSha256!)))
            .ToList();
        await provider.WriteShardAsync(inputs, shard.Path, cancellationToken);
        logger.RequestFileRebuilt(shard.Id, inputs.Count);
    }
}
