using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using Gme.Core.VectorFiles;
using Gme.Core.Vectors;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Stages;

/// <summary>
/// The index half of a catalogue sync: products a snapshot removed (already out of the live set, committed by ingest)
/// leave the run's collection and the current vector files. Every step is idempotent, so a redelivery or a crash
/// anywhere only repeats work: deleting absent points is a no-op, a vector file is rewritten beside the old one and
/// switched to in the same commit that marks its products purged, and the old file is deleted only after that commit.
/// </summary>
internal sealed class RemoveProductsConsumer(
    LedgerUnitOfWork unitOfWork,
    IVectorStore store,
    TimeProvider clock,
    ILogger<RemoveProductsConsumer> logger) : IConsumer<ProductsRemoved>
{
    /// <summary>Point ids per delete request.</summary>
    private const int DeleteBatch = 512;

    public async Task Consume(ConsumeContext<ProductsRemoved> context)
    {
        var ct = context.CancellationToken;
        var runId = context.Message.RunId;
        var db = unitOfWork.Db;
        var collection = context.Message.Collection
            ?? await db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => r.Collection).FirstOrDefaultAsync(ct);
        if (collection is null)
        {
            return;
        }

        using var activity = IndexerDiagnostics.ActivitySource.StartActivity("remove products");
        activity?.SetTag(IndexerDiagnostics.Tags.RunId, runId);
        activity?.SetTag(IndexerDiagnostics.Tags.Collection, collection);

        // Restored products (back in a later snapshot) are live again and no longer listed here.
        var products = await db.Products.Where(p => p.Collection == collection && p.RemovedInRunId == runId && p.PurgedAt == null).ToListAsync(ct);
        if (products.Count > 0 && await store.GetCollectionAsync(collection, ct) is not null)
        {
            foreach (var batch in products.Chunk(DeleteBatch))
            {
                await store.DeleteAsync(collection, batch.Select(p => PointIds.FromProductId(p.Id)).ToList(), ct);
            }
        }

        var replaced = new List<string>();
        var fileIds = products.Where(p => p.VectorFileId is not null).Select(p => p.VectorFileId!).Distinct(StringComparer.Ordinal).ToList();
        foreach (var file in await db.VectorFiles.Where(f => fileIds.Contains(f.Id)).ToListAsync(ct))
        {
            if (await RewriteWithoutRemovedAsync(db, file, runId, ct) is { } old)
            {
                replaced.Add(old);
            }
        }

        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var product in products)
        {
            product.MarkPurged(now);
        }

        unitOfWork.Publish(new ProductsPurged { RunId = runId, Products = products.Count });
        await unitOfWork.CommitAsync(ct);

        // Irreversible, so only now that the ledger points at the new files.
        foreach (var old in replaced)
        {
            File.Delete(old);
        }

        logger.ProductsPurged(runId, products.Count, collection, replaced.Count);
    }

    /// <summary>
    /// Writes the file's rows without those of removed products to a new path and points the ledger row at it
    /// (saved by the caller's commit); returns the old path to delete after that commit, or null when nothing changed.
    /// A file missing on disk is left to `gme doctor`.
    /// </summary>
    private static async Task<string?> RewriteWithoutRemovedAsync(LedgerDbContext db, VectorFileEntity file, Guid runId, CancellationToken ct)
    {
        if (!File.Exists(file.Path))
        {
            return null;
        }

        var removed = (await db.Products.AsNoTracking()
                .Where(p => p.VectorFileId == file.Id && p.RemovedInRunId != null)
                .Select(p => p.Id).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var spaces = await VectorFileReader.ReadSpacesAsync(file.Path, ct);
        var kept = new List<VectorRow>();
        var total = 0;
        await foreach (var row in VectorFileReader.ReadRowsAsync(file.Path, ct))
        {
            total++;
            if (!removed.Contains(row.ProductId))
            {
                kept.Add(row);
            }
        }

        if (kept.Count == total)
        {
            return null;
        }

        // Beside the old file, named after the removing run: a retry of this run rewrites the same name.
        var path = Path.Combine(Path.GetDirectoryName(file.Path)!, $"{file.Id}.sync-{runId:N}.parquet");
        var summary = await VectorFileWriter.WriteAsync(path, file.ModelId, spaces, kept, ct);
        var old = file.Path;
        file.Path = path;
        file.Rows = summary.Rows;
        file.Sha256 = summary.Sha256;
        return string.Equals(old, path, StringComparison.Ordinal) ? null : old;
    }
}
