using System.Collections.Concurrent;
using Gme.Contracts;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Pipeline.Stages;
using Microsoft.EntityFrameworkCore;
using Gme.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

public sealed class DownloadImagesConsumerTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    [Fact]
    public async Task Consume_Chunk_FetchesEachImageOnceRecordsFailuresAndReusesTheCache()
    {
        var fetcher = new ScriptedFetcher();
        await using var ctx = await StageTestContext.CreateAsync(
            x => x.AddConsumer<DownloadImagesConsumer>(),
            s =>
            {
                s.AddSingleton<IImageFetcher>(fetcher);
                s.AddSingleton<IImageCache, ImageCache>();
            });

        var cache = ctx.Services.GetRequiredService<IImageCache>();
        var cachedSha = await cache.StoreAsync(new byte[] { 1, 2, 3 });
        await using (var db = ctx.Db())
        {
            db.Runs.Add(LedgerSeed.Run(s_run));
            var shared1 = LedgerSeed.Product("P1", s_run, ProductStage.Ingested);
            var shared2 = LedgerSeed.Product("P2", s_run, ProductStage.Ingested);
            shared2.ImageRef = shared1.ImageRef; // two colourways, one photo
            var missing = LedgerSeed.Product("P3", s_run, ProductStage.Ingested);
            missing.ImageRef = "http://img.test/404.jpg";
            var cached = LedgerSeed.Product("P4", s_run, ProductStage.Ingested);
            cached.ImageRef = "http://img.test/cached.jpg";
            db.Products.AddRange(shared1, shared2, missing, cached);
            db.Images.Add(new ImageEntity { Ref = cached.ImageRef, Sha256 = cachedSha, Status = ImageStatus.Ready, Bytes = 3 });
            await db.SaveChangesAsync();
        }

        await ctx.Harness.Bus.Publish(new ProductsIngested { RunId = s_run, ChunkNumber = 0, ProductIds = ["P1", "P2", "P3", "P4"] });
        Assert.True(await ctx.Harness.Published.Any<ImagesDownloaded>());

        var message = ctx.Harness.Published.Select<ImagesDownloaded>().Single().Context.Message;
        Assert.Equal(["P1", "P2", "P4"], message.ProductIds.Order());
        Assert.Equal(1, message.Failed);
        Assert.Equal(1, fetcher.Calls["/img/P1.jpg"]);
        Assert.False(fetcher.Calls.ContainsKey("http://img.test/cached.jpg"));

        await using var check = ctx.Db();
        var products = await check.Products.ToDictionaryAsync(p => p.Id);
        Assert.Equal(ProductStage.ImageReady, products["P1"].Stage);
        Assert.Equal(products["P1"].ImageSha256, products["P2"].ImageSha256);
        Assert.Equal(cachedSha, products["P4"].ImageSha256);
        Assert.True(products["P3"].Failed);
        Assert.Equal("image: http_404", products["P3"].LastError);
        Assert.Equal(ImageStatus.Failed, (await check.Images.SingleAsync(i => i.Ref == "http://img.test/404.jpg")).Status);
    }

    [Fact]
    public async Task Consume_TwoChunksSharingAPhotoAtOnce_BothSucceedWithoutAConflictOrRetry()
    {
        var fetcher = new GatedFetcher(2);
        await using var ctx = await StageTestContext.CreateAsync(
            x => x.AddConsumer<DownloadImagesConsumer>(),
            s =>
            {
                s.AddSingleton<IImageFetcher>(fetcher);
                s.AddSingleton<IImageCache, ImageCache>();
            });
        await using (var db = ctx.Db())
        {
            db.Runs.Add(LedgerSeed.Run(s_run));
            var first = LedgerSeed.Product("A", s_run, ProductStage.Ingested);
            var second = LedgerSeed.Product("B", s_run, ProductStage.Ingested);
            second.ImageRef = first.ImageRef;
            db.Products.AddRange(first, second);
            await db.SaveChangesAsync();
        }

        // Both chunks fetch the photo before either saves, so both find no image row: the race of shared photos.
        await Task.WhenAll(
            ctx.Harness.Bus.Publish(new ProductsIngested { RunId = s_run, ChunkNumber = 0, ProductIds = ["A"] }),
            ctx.Harness.Bus.Publish(new ProductsIngested { RunId = s_run, ChunkNumber = 1, ProductIds = ["B"] }));
        await Eventually.TrueAsync(() => ctx.Harness.Published.Select<ImagesDownloaded>().Count() == 2, "both chunks to finish");

        Assert.False(await ctx.Harness.Published.Any<MassTransit.Fault<ProductsIngested>>());
        Assert.Equal(2, fetcher.Calls);
        await using var check = ctx.Db();
        Assert.All(await check.Products.ToListAsync(), p => Assert.Equal(ProductStage.ImageReady, p.Stage));
        Assert.Equal(ImageStatus.Ready, (await check.Images.SingleAsync()).Status);
    }

    /// <summary>Answers only once <c>parties</c> fetches are under way, so concurrent chunks overlap for sure.</summary>
    private sealed class GatedFetcher(int parties) : IImageFetcher
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public async Task<ImageFetchResult> FetchAsync(string imageRef, string? localRoot, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) >= parties)
            {
                _gate.TrySetResult();
            }

            await _gate.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            return ImageFetchResult.Ok(new string('c', 64), 10, 8, 8, fromCache: false);
        }
    }

    private sealed class ScriptedFetcher : IImageFetcher
    {
        public ConcurrentDictionary<string, int> Calls { get; } = new();

        public Task<ImageFetchResult> FetchAsync(string imageRef, string? localRoot, CancellationToken cancellationToken)
        {
            Calls.AddOrUpdate(imageRef, 1, (_, n) => n + 1);
            return Task.FromResult(imageRef.Contains("404", StringComparison.Ordinal)
                ? ImageFetchResult.Fail("http_404", permanent: true)
                : ImageFetchResult.Ok(new string('b', 64), 10, 8, 8, fromCache: false));
        }
    }
}
