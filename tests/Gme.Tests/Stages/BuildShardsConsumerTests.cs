using Gme.Contracts;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

public sealed class BuildShardsConsumerTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    [Fact]
    public async Task Consume_CutsFullShardsFirstAndThePartialOneOnlyWhenNothingMoreCanArrive()
    {
        await using var ctx = await StageTestContext.CreateAsync(
            x => x.AddConsumer<BuildShardsConsumer>(),
            s => s.AddSingleton<IImageCache, ImageCache>());
        await using (var db = ctx.Db())
        {
            db.Runs.Add(LedgerSeed.Run(s_run, ingestDone: true));
            foreach (var i in Enumerable.Range(1, 6))
            {
                db.Products.Add(LedgerSeed.Product($"P{i}", s_run, ProductStage.ImageReady));
            }

            db.Products.Add(LedgerSeed.Product("P7", s_run, ProductStage.Ingested)); // its image is still downloading
            await db.SaveChangesAsync();
        }

        await ctx.Harness.Bus.Publish(new ImagesDownloaded { RunId = s_run, ProductIds = [], Failed = 0 });
        Assert.True(await ctx.Harness.Published.Any<ShardBuilt>());
        Assert.True(await ctx.Harness.Consumed.Any<ImagesDownloaded>());
        await using (var db = ctx.Db())
        {
            var shard = await db.Shards.SingleAsync();
            Assert.Equal(4, shard.Items);
            Assert.Equal(4, await db.Products.CountAsync(p => p.ShardId == shard.Id && p.Stage == ProductStage.Sharded));
            Assert.Equal(2, await db.Products.CountAsync(p => p.ShardId == null && p.Stage == ProductStage.ImageReady));
            Assert.True(File.Exists(shard.Path));
        }

        await using (var db = ctx.Db())
        {
            var last = await db.Products.SingleAsync(p => p.Id == "P7");
            last.MarkImageReady(last.ImageSha256!);
            await db.SaveChangesAsync();
        }

        await ctx.Harness.Bus.Publish(new ImagesDownloaded { RunId = s_run, ProductIds = ["P7"], Failed = 0 });
        await Eventually.TrueAsync(() => ctx.Harness.Published.Select<ShardBuilt>().Count() >= 2, "the partial shard to be cut");

        await using var check = ctx.Db();
        Assert.Equal([3, 4], (await check.Shards.Select(s => s.Items).ToListAsync()).Order());
        Assert.Equal(0, await check.Products.CountAsync(p => p.ShardId == null));
    }

    [Fact]
    public void ShardIdFor_SameContentSameId_ChangedContentNewId()
    {
        var a = BuildShardsConsumer.ShardIdFor([("P1", "h1"), ("P2", "h2")]);
        var reordered = BuildShardsConsumer.ShardIdFor([("P2", "h2"), ("P1", "h1")]);
        var changed = BuildShardsConsumer.ShardIdFor([("P1", "h1"), ("P2", "h2-new")]);
        Assert.NotEqual(BuildShardsConsumer.ShardIdFor([("P1", "h1"), ("P2", "h2")], "model-a"),
            BuildShardsConsumer.ShardIdFor([("P1", "h1"), ("P2", "h2")], "model-b"));
        Assert.Equal(a, reordered);
        Assert.NotEqual(a, changed);
        Assert.StartsWith("shard-", a);
        Assert.Equal(30, a.Length);
    }
}
