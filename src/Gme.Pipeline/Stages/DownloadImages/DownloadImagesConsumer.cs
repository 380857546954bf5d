using System.Text.Json;
using Gme.Contracts;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using Gme.Core.Sources;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 2: brings the photos of one chunk into the image cache. An image URL already in the cache (and still matching
/// its hash) is not fetched again (a local file is read again, it may have changed in place); one shared by several products is fetched once. Failures are recorded per
/// product with their reason and never stop the chunk. Local files are confined to the run's images root (from its
/// stored source), also when their image is already cached, so a ledger row naming a path outside it gets nothing.
/// </summary>
internal sealed class DownloadImagesConsumer(
    LedgerUnitOfWork unitOfWork,
    IImageFetcher fetcher,
    IImageCache cache,
    IOptions<IngestOptions> options,
    TimeProvider clock,
    ILogger<DownloadImagesConsumer> logger) : IConsumer<ProductsIngested>
{
    public async Task Consume(ConsumeContext<ProductsIngested> context)
    {
        var ct = context.CancellationToken;
        var message = context.Message;
        using var activity = IngestDiagnostics.ActivitySource.StartActivity("download images");
        activity?.SetTag(IngestDiagnostics.Tags.RunId, message.RunId);
        activity?.SetTag(IngestDiagnostics.Tags.Chunk, message.ChunkNumber);

        var db = unitOfWork.Db;
        var run = await db.Runs.AsNoTracking().Where(r => r.Id == message.RunId).Select(r => new { r.SourceJson, r.Collection }).FirstOrDefaultAsync(ct);
        var localRoot = LocalRootOf(run?.SourceJson);
        var collection = message.Collection ?? run?.Collection;
        var ids = message.ProductIds.ToList();
        var products = await db.Products.Where(p => p.Collection == collection && ids.Contains(p.Id)).ToListAsync(ct);
        var pending = products.Where(p => p.Stage == ProductStage.Ingested && !p.Failed).ToList();

        var refs = pending.Select(p => p.ImageRef).Distinct(StringComparer.Ordinal).ToList();
        var known = await db.Images.Where(i => refs.Contains(i.Ref)).ToDictionaryAsync(i => i.Ref, StringComparer.Ordinal, ct);
        var results = new Dictionary<string, ImageFetchResult>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(refs,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.DownloadConcurrency, CancellationToken = ct },
            async (imageRef, token) =>
            {
                var result = await FetchOrReuseAsync(imageRef, localRoot, known.GetValueOrDefault(imageRef), token);
                lock (results)
                {
                    results[imageRef] = result;
                }
            });

        var now = clock.GetUtcNow().UtcDateTime;
        await EnsureImageRowsAsync(db, results.Keys.Where(r => !known.ContainsKey(r)).ToList(), known, now, ct);
        foreach (var (imageRef, result) in results)
        {
            if (!known.TryGetValue(imageRef, out var image))
            {
                image = new ImageEntity { Ref = imageRef };
                db.Images.Add(image);
            }

            image.UpdatedAt = now;
            if (result.Succeeded)
            {
                image.Status = ImageStatus.Ready;
                image.Sha256 = result.Sha256;
                image.Bytes = result.StoredBytes;
                image.Width = result.Width;
                image.Height = result.Height;
                image.LastError = null;
                if (!result.FromCache)
                {
                    image.Attempts++;
                }
            }
            else
            {
                image.Status = ImageStatus.Failed;
                image.Attempts++;
                image.LastError = result.FailureReason;
            }
        }

        var failed = 0;
        foreach (var product in pending)
        {
            var result = results[product.ImageRef];
            product.UpdatedAt = now;
            if (result.Succeeded)
            {
                product.MarkImageReady(result.Sha256!);
                IngestDiagnostics.ImagesFetched.Add(1);
            }
            else
            {
                failed++;
                product.Fail(ProductStage.ImageReady, $"image: {result.FailureReason}");
                IngestDiagnostics.ImagesFailed.Add(1, new KeyValuePair<string, object?>(IngestDiagnostics.Tags.Reason, result.FailureReason));
                logger.ImageFailed(product.Id, product.ImageRef, result.FailureReason ?? "unknown");
            }
        }

        var ready = products.Where(p => p.Stage >= ProductStage.ImageReady && !p.Failed).Select(p => p.Id).ToList();
        // Failures here may settle a run's last products: the run saga hears of them through this message.
        unitOfWork.Publish(new ImagesDownloaded { RunId = message.RunId, ProductIds = ready, Failed = failed, Collection = collection });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Creates the image rows this chunk needs without conflicting with another chunk that shares a photo and got
    /// there first (insert or ignore, then read back), so that shared photos never fail a save on the key of images.
    /// </summary>
    private static async Task EnsureImageRowsAsync(LedgerDbContext db, List<string> missing, Dictionary<string, ImageEntity> known,
        DateTime now, CancellationToken ct)
    {
        if (missing.Count == 0)
        {
            return;
        }

        foreach (var imageRef in missing)
        {
            // The same statement on SQLite and PostgreSQL; the row is filled in by the tracked update below.
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO images (\"Ref\", \"Status\", \"Attempts\", \"Bytes\", \"Width\", \"Height\", \"UpdatedAt\") VALUES ({imageRef}, 0, 0, 0, 0, 0, {now}) ON CONFLICT (\"Ref\") DO NOTHING",
                ct);
        }

        foreach (var image in await db.Images.Where(i => missing.Contains(i.Ref)).ToListAsync(ct))
        {
            known[image.Ref] = image;
        }
    }

    private async Task<ImageFetchResult> FetchOrReuseAsync(string imageRef, string? localRoot, ImageEntity? known, CancellationToken ct)
    {
        // A local photo is read again: reading a file is cheap, and its bytes may have changed at the same path (a
        // catalogue sync re-embeds such a product, which must not get the photo cached under that path before).
        var local = !imageRef.Contains("://", StringComparison.Ordinal);
        if (!local && known is { Status: ImageStatus.Ready, Sha256: { } sha } && await cache.VerifyAsync(sha, ct))
        {
            return ImageFetchResult.Ok(sha, known.Bytes, known.Width, known.Height, fromCache: true);
        }

        // An unconfined local path goes to the fetcher too, which refuses it with the reason.
        return await fetcher.FetchAsync(imageRef, localRoot, ct);
    }

    /// <summary>The run's images root; none (every local path refused, URLs still fetched) when its source is unreadable.</summary>
    private static string? LocalRootOf(string? sourceJson)
    {
        try
        {
            return sourceJson is null ? null : JsonSerializer.Deserialize<SourceSpec>(sourceJson)?.LocalImageRoot();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
