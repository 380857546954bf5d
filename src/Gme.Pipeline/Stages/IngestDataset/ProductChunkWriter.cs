using System.Text.Json;
using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using Gme.Core.Sources;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stores one chunk of products and rejections in a single transaction, together with the message that hands the
/// chunk on (through the ledger outbox, so the chunk is never stored without its message or announced without being
/// stored). Unchanged products keep the stage they reached (that is what makes a re-run cheap: no provider request for
/// them); changed ones start over; failed ones get another chance; removed ones that are back are added again. What
/// the snapshot did to each (added, changed, unchanged) is recorded on the product, for the run's sync counts.
/// </summary>
internal sealed class ProductChunkWriter(LedgerUnitOfWork unitOfWork, TimeProvider clock)
{
    public async Task WriteAsync(Guid runId, IReadOnlyList<(long RowNumber, ProductRecord Product)> products,
        IReadOnlyList<RowRejection> rejections, ProductsIngested? announcement, CancellationToken cancellationToken)
    {
        // One context for the whole ingest, emptied per chunk so that it never holds more than one chunk.
        var db = unitOfWork.Db;
        db.ChangeTracker.Clear();
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = products.Select(p => p.Product.Id).ToList();
        var existing = await db.Products.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);

        // A run that builds a new index version (another model or size, or `gme reindex`) embeds every product again
        // into it: vectors of the live version are of the other model. Unchanged products still count as unchanged.
        var buildsVersion = await db.CollectionVersions.AnyAsync(
            v => v.BuildRunId == runId && v.State == CollectionVersionState.Building, cancellationToken);

        foreach (var (rowNumber, product) in products)
        {
            var payloadJson = JsonSerializer.Serialize(product.Payload);
            var hash = ContentHash.Of(product, payloadJson);
            if (!existing.TryGetValue(product.Id, out var entity))
            {
                db.Products.Add(new ProductEntity
                {
                    Id = product.Id,
                    LastRunId = runId,
                    RowNumber = rowNumber,
                    ContentHash = hash,
                    PayloadJson = payloadJson,
                    Name = product.Name,
                    Text = product.Text,
                    ImageRef = product.ImageRef,
                    UpdatedAt = now,
                });
                continue;
            }

            entity.RowNumber = rowNumber;
            if (!entity.IsLive || entity.ContentHash != hash)
            {
                entity.PayloadJson = payloadJson;
                entity.Name = product.Name;
                entity.Text = product.Text;
                entity.ImageRef = product.ImageRef;
                if (entity.IsLive)
                {
                    entity.MarkChanged(runId, hash);
                }
                else
                {
                    // Removed by an earlier snapshot and back in this one: live again, and embedded again.
                    entity.Restore(runId, hash);
                }
            }
            else
            {
                var firstSighting = entity.LastRunId != runId;
                entity.MarkUnchanged(runId);
                if (buildsVersion && firstSighting)
                {
                    entity.Reset();
                }
                else if (entity.Failed)
                {
                    // A new run retries what failed before, from the stage where it stopped.
                    entity.Retry();
                }
            }

            entity.UpdatedAt = now;
        }

        if (rejections.Count > 0)
        {
            var rows = rejections.Select(r => r.RowNumber).ToList();
            var known = await db.RejectedRows.Where(r => r.RunId == runId && rows.Contains(r.RowNumber))
                .Select(r => r.RowNumber).ToListAsync(cancellationToken);
            foreach (var rejection in rejections.Where(r => !known.Contains(r.RowNumber)))
            {
                db.RejectedRows.Add(new RejectedRowEntity
                {
                    RunId = runId,
                    RowNumber = rejection.RowNumber,
                    ProductId = rejection.ProductId is { Length: > 160 } id ? id[..160] : rejection.ProductId,
                    Reason = rejection.Reason.Length > 1024 ? rejection.Reason[..1024] : rejection.Reason,
                });
            }
        }

        if (announcement is not null)
        {
            unitOfWork.Publish(announcement);
        }

        // Committed and handed on per chunk, so downloads start while the rest of the file is read.
        await unitOfWork.CommitAsync(cancellationToken);
    }
}
