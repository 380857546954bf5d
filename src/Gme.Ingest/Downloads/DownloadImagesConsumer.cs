using Gme.Contracts;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Ingest.Downloads;

/// <summary>
/// Stage 2: brings the photos of one chunk into the image cache. An image already in the cache (and still matching
/// its hash) is not fetched again; one shared by several products is fetched once. Failures are recorded per
/// product with their reason and never stop the chunk.
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
        using var activity = Diagnostics.ActivitySource.StartActivity("download images");
        activity?.SetTag(Diagnostics.Tags.RunId, message.RunId);
        activity?.SetTag(Diagnostics.Tags.Chunk, message.ChunkNumber);

        var db = unitOfWork.Db;
        var ids = message.ProductIds.ToList();
        var products = await db.Products.Where(p => ids.Contains(p.Id)).ToListAsync(ct);
        var pending = products.Where(p => p.Stage == ProductStage.Ingested && !p.Failed).ToList();

        var refs = pending.Select(p => p.ImageRef).Distinct(StringComparer.Ordinal).ToList();
        var known = await db.Images.Where(i => refs.Contains(i.Ref)).ToDictionaryAsync(i => i.Ref, StringComparer.Ordinal, ct);
        var results = new Dictionary<string, ImageFetchResult>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(refs,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.DownloadConcurrency, CancellationToken = ct },
            async (imageRef, token) =>
            {
                var result = await FetchOrReuseAsync(imageRef, known.GetValueOrDefault(imageRef), token);
                lock (results)
                {
                    results[imageRef] = result;
                }
            });

        var now = clock.GetUtcNow().UtcDateTime;
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
                Diagnostics.ImagesFetched.Add(1);
            }
            else
            {
                failed++;
                product.Fail(ProductStage.ImageReady, $"image: {result.FailureReason}");
                Diagnostics.ImagesFailed.Add(1, new KeyValuePair<string, object?>(Diagnostics.Tags.Reason, result.FailureReason));
                logger.ImageFailed(product.Id, product.ImageRef, result.FailureReason ?? "unknown");
            }
        }

        var ready = products.Where(p => p.Stage >= ProductStage.ImageReady && !p.Failed).Select(p => p.Id).ToList();
        // Failures here may settle a run's last products: the run saga hears of them through this message.
        unitOfWork.Publish(new ImagesDownloaded { RunId = message.RunId, ProductIds = ready, Failed = failed });
        await db.SaveChangesAsync(ct);
    }

    private async Task<ImageFetchResult> FetchOrReuseAsync(string imageRef, ImageEntity? known, CancellationToken ct)
    {
        if (known is { Status: ImageStatus.Ready, Sha256: { } sha } && await cache.VerifyAsync(sha, ct))
        {
            return ImageFetchResult.Ok(sha, known.Bytes, known.Width, known.Height, fromCache: true);
        }

        return await fetcher.FetchAsync(imageRef, ct);
    }
}
