using System.Security.Cryptography;
using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using Gme.Core.VectorFiles;
using Gme.Core.Vectors;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 7: upserts one Parquet file into the vector store in batches. Point ids are UUIDv5 of the product id, so a
/// redelivered message or a resumed run overwrites the same points; the file is marked upserted only after the
/// store acknowledged every batch.
/// </summary>
internal sealed class UpsertVectorsConsumer(
    LedgerUnitOfWork unitOfWork,
    IVectorStore store,
    CollectionInitializer collections,
    IOptions<IndexerOptions> options,
    TimeProvider clock,
    ILogger<UpsertVectorsConsumer> logger) : IConsumer<EmbeddingsCollected>
{
    public async Task Consume(ConsumeContext<EmbeddingsCollected> context)
    {
        var ct = context.CancellationToken;
        var message = context.Message;
        var db = unitOfWork.Db;
        var file = await db.VectorFiles.FirstOrDefaultAsync(f => f.Id == message.VectorFileId, ct);
        if (file is null)
        {
            return;
        }

        if (file.State is VectorFileState.Written)
        {
            if (!await MatchesHashAsync(file, ct))
            {
                await RecollectAsync(db, file, ct);
                return;
            }

            var collection = await collections.EnsureAsync(file.RunId, ct)
                ?? throw new InvalidOperationException($"Run {file.RunId} of vector file {file.Id} is not in the ledger.");
            using var activity = IndexerDiagnostics.ActivitySource.StartActivity("upsert vectors");
            activity?.SetTag(IndexerDiagnostics.Tags.VectorFile, file.Id);
            activity?.SetTag(IndexerDiagnostics.Tags.Collection, collection);
            var points = await UpsertFileAsync(db, collection, file, ct);

            // Products, file and the message that announces them in one transaction.
            var now = clock.GetUtcNow().UtcDateTime;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            file.State = VectorFileState.Upserted;
            file.UpsertedAt = now;
            await ProductEntity.MarkIndexedAsync(db.Products, file.Id, now, ct);
            unitOfWork.Publish(new VectorsUpserted { RunId = message.RunId, VectorFileId = file.Id, Points = file.Rows });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            IndexerDiagnostics.PointsUpserted.Add(points);
            logger.VectorsUpserted(file.Id, points);
        }
        else
        {
            // Redelivered after the upsert: announce it again; whoever listens (the run saga) is idempotent.
            unitOfWork.Publish(new VectorsUpserted { RunId = message.RunId, VectorFileId = file.Id, Points = file.Rows });
        }
    }

    private async Task<int> UpsertFileAsync(LedgerDbContext db, string collection, VectorFileEntity file, CancellationToken ct)
    {
        var batchSize = options.Value.UpsertBatchSize;
        var batch = new List<VectorRow>(batchSize);
        var total = 0;
        await foreach (var row in VectorFileReader.ReadRowsAsync(file.Path, ct))
        {
            batch.Add(row);
            if (batch.Count == batchSize)
            {
                total += await UpsertBatchAsync(db, collection, file.Id, batch, ct);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            total += await UpsertBatchAsync(db, collection, file.Id, batch, ct);
        }

        return total;
    }

    private async Task<int> UpsertBatchAsync(LedgerDbContext db, string collection, string fileId, List<VectorRow> rows, CancellationToken ct)
    {
        // Only live products whose current vectors are in this file: a product re-embedded since then lives in a newer
        // file, and one a snapshot removed must not come back into the index.
        var ids = rows.Select(r => r.ProductId).ToList();
        var payloads = await db.Products.AsNoTracking()
            .Where(p => ids.Contains(p.Id) && p.VectorFileId == fileId && p.RemovedInRunId == null)
            .Select(p => new { p.Id, p.PayloadJson })
            .ToDictionaryAsync(p => p.Id, p => p.PayloadJson, StringComparer.Ordinal, ct);
        var points = rows
            .Where(r => payloads.ContainsKey(r.ProductId))
            .Select(r => new VectorPoint(r.PointId, r.Vectors, PointPayload.Build(r.ProductId, payloads[r.ProductId])))
            .ToList();
        if (points.Count > 0)
        {
            await store.UpsertAsync(collection, points, ct);
        }

        return points.Count;
    }

    private static async Task<bool> MatchesHashAsync(VectorFileEntity file, CancellationToken ct)
    {
        if (!File.Exists(file.Path))
        {
            return false;
        }

        await using var stream = File.OpenRead(file.Path);
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        return hash == file.Sha256;
    }

    private async Task RecollectAsync(LedgerDbContext db, VectorFileEntity file, CancellationToken ct)
    {
        logger.VectorFileCorrupt(file.Id, file.Path);
        var shard = await db.Shards.FirstOrDefaultAsync(s => s.Id == file.ShardId, ct);
        await ProductEntity.UnembedAsync(db.Products, file.Id, ct);
        db.VectorFiles.Remove(file);
        if (shard is not null)
        {
            shard.Recollect();
            unitOfWork.Publish(new CollectShard { RunId = shard.RunId, ShardId = shard.Id });
        }

        await db.SaveChangesAsync(ct);
    }
}
