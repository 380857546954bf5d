using System.Text.Json;
using Gme.Contracts;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Core.Sources;
using Gme.Images;
using Gme.Pipeline.Stages;
using Gme.Tests.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

/// <summary>
/// The download stage confines local images to the run's stored images root, with the real fetcher: ledger rows that
/// name files outside it (written before the check existed) fail with the reason, even when their image is cached.
/// </summary>
public sealed class DownloadConfinementTests
{
    [Fact]
    public async Task Consume_LocalRefsOutsideTheRunsRoot_FailWithReasonAndNeverReuseTheCache()
    {
        using var layout = new ConfinementLayout(oversizeBytes: 1024);
        var run = Guid.NewGuid();
        await using var ctx = await StageTestContext.CreateAsync(
            x => x.AddConsumer<DownloadImagesConsumer>(),
            s => s.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()).AddImageFetching());

        // A pre-fix run stored the canary: its image row is Ready and the bytes are in the cache.
        var cache = ctx.Services.GetRequiredService<IImageCache>();
        var canaryRef = Path.Combine(layout.Outside, "canary.png");
        var canarySha = await cache.StoreAsync(layout.Canary, TestContext.Current.CancellationToken);
        await using (var db = ctx.Db())
        {
            var spec = new SourceSpec { Kind = "file", Location = Path.Combine(layout.Catalogue, "products.csv") };
            var entity = LedgerSeed.Run(run);
            entity.SourceJson = JsonSerializer.Serialize(spec);
            db.Runs.Add(entity);
            db.Products.AddRange(
                Product("OUT", run, canaryRef),
                Product("LINK", run, Path.Combine(layout.Catalogue, "link.png")),
                Product("PASSWD", run, "/etc/passwd"),
                Product("FIFO", run, Path.Combine(layout.Catalogue, "fifo.png")),
                Product("OK", run, Path.Combine(layout.Catalogue, "images", "ok.png")));
            db.Images.Add(new ImageEntity { Ref = canaryRef, Sha256 = canarySha, Status = ImageStatus.Ready, Bytes = layout.Canary.Length });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await ctx.Harness.Bus.Publish(new ProductsIngested { RunId = run, ChunkNumber = 0, ProductIds = ["OUT", "LINK", "PASSWD", "FIFO", "OK"] },
            TestContext.Current.CancellationToken);
        Assert.True(await ctx.Harness.Published.Any<ImagesDownloaded>(TestContext.Current.CancellationToken));

        var message = ctx.Harness.Published.Select<ImagesDownloaded>().Single().Context.Message;
        Assert.Equal(["OK"], message.ProductIds);
        await using var check = ctx.Db();
        var products = await check.Products.ToDictionaryAsync(p => p.Id, TestContext.Current.CancellationToken);
        Assert.Equal("image: outside_images_root", products["OUT"].LastError);
        Assert.Equal("image: link_outside_images_root", products["LINK"].LastError);
        Assert.Equal("image: outside_images_root", products["PASSWD"].LastError);
        Assert.Equal("image: not_a_regular_file", products["FIFO"].LastError);
        Assert.All(["OUT", "LINK", "PASSWD", "FIFO"], id =>
        {
            Assert.True(products[id].Failed);
            Assert.NotEqual(ProductStage.ImageReady, products[id].Stage);
        });
        Assert.Equal(ProductStage.ImageReady, products["OK"].Stage);
        Assert.NotEqual(canarySha, products["OK"].ImageSha256);
    }

    private static ProductEntity Product(string id, Guid run, string imageRef)
    {
        var product = LedgerSeed.Product(id, run, ProductStage.Ingested);
        product.ImageRef = imageRef;
        product.ImageSha256 = null;
        return product;
    }
}
