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
/// stored). Products are the run's collection's: the same id in another catalogue is another product. Unchanged products
/// keep the stage they reached (that is what makes a re-run cheap: no provider request for them); changed ones (embedded
/// text, payload, photo reference, or a local photo's bytes: <see cref="PhotoFingerprint"/>) start over; failed ones get another chance; removed ones that are back are added again. What
/// the snapshot did to each (added, changed, unchanged) is recorded on the product, for the run's sync counts.
/// </summary>
internal sealed class ProductChunkWriter(LedgerUnitOfWork unitOfWork, TimeProvider clock)
{
    public async Task WriteAsync(Guid runId, string collection, string? imagesRoot, IReadOnlyList<(long RowNumber, ProductRecord Product)> products,
        IReadOnlyList<RowRejection> rejections, ProductsIngested? announcement, CancellationToken cancellationToken)
    {
        // One context for the whole ingest, emptied per chunk so that it never holds more than one chunk.
        var db = unitOfWork.Db;
        db.ChangeTracker.Clear();
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = products.Select(p => p.Product.Id).ToList();
        var existing = await db.Products.Where(p => p.Collection == collection && ids.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, StringComparer.Ordinal, cancellationToken);
        var hashed = new Dictionary<string, string?>(StringComparer.Ordinal);

        // A run that builds a new index version (another model or size, or `gme reindex`) embeds every product again
        // into it: vectors of the live version are of the other model. Unchanged products still count as unchanged.
        var buildsVersion = await db.CollectionVersions.AnyAsync(
            v => v.BuildRunId == runId && v.State == CollectionVersionState.Building, cancellationToken);

        foreach (var (rowNumber, product) in products)
        {
            var payloadJson = JsonSerializer.Serialize(product.Payload);
            var hash = ContentHash.Of(product, payloadJson);
            existing.TryGetValue(product.Id, out var entity);
            var (photoSha, photoStamp) = await PhotoAsync(product.ImageRef, imagesRoot, entity, hashed, cancellationToken);
            if (entity is null)
            {
                db.Products.Add(new ProductEntity
                {
                    Collection = collection,
                    Id = product.Id,
                    LastRunId = runId,
                    RowNumber = rowNumber,
                    ContentHash = hash,
                    PayloadJson = payloadJson,
                    Name = product.Name,
                    Text = product.Text,
                    ImageRef = product.ImageRef,
                    PhotoSha256 = photoSha,
                    PhotoStamp = photoStamp,
                    UpdatedAt = now,
                });
                continue;
            }

            entity.RowNumber = rowNumber;
            // Same path, other bytes: only comparable when both snapshots could read the photo (a row written before
            // photos were fingerprinted has none, and simply records this one).
            var photoChanged = entity.PhotoSha256 is not null && photoSha is not null && entity.PhotoSha256 != photoSha;
            entity.PhotoSha256 = photoSha;
            entity.PhotoStamp = photoStamp;
            if (!entity.IsLive || entity.ContentHash != hash || photoChanged)
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

    /// <summary>The photo's byte hash and stamp; the recorded hash when the file's stamp has not moved.</summary>
    private static async Task<(string? Sha, string? Stamp)> PhotoAsync(string imageRef, string? imagesRoot, ProductEntity? entity,
        Dictionary<string, string?> hashed, CancellationToken ct)
    {
        var stamp = PhotoFingerprint.StampOf(imageRef, imagesRoot, out var realPath);
        if (stamp is null || realPath is null)
        {
            return (null, null);
        }

        if (entity is { PhotoSha256: { } known } && entity.PhotoStamp == stamp && entity.ImageRef == imageRef)
        {
            return (known, stamp);
        }

        if (!hashed.TryGetValue(realPath, out var sha))
        {
            sha = await PhotoFingerprint.HashAsync(realPath, ct);
            hashed[realPath] = sha;
        }

        return sha is null ? (null, null) : (sha, stamp);
    }
}
