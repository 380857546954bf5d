using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.VectorFiles;
using Gme.Core.Vectors;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using Gme.VectorStores.Embedded;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

public sealed class UpsertVectorsConsumerTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    private static async Task<(StageTestContext Ctx, EmbeddingsCollected Message)> ArrangeAsync()
    {
        var ctx = await StageTestContext.CreateAsync(
            x => x.AddConsumer<UpsertVectorsConsumer>(),
            s =>
            {
                s.AddEmbeddedVectorStore();
                s.AddSingleton<CollectionInitializer>();
                s.AddSingleton<Gme.Pipeline.Versions.IndexVersions>();
            });
        var ids = new[] { "P1", "P2", "P3" };
        var rows = ids.Select(id => new VectorRow(id, PointIds.FromProductId(id), ctx.Provider.Good(id).Vectors!)).ToList();
        var path = Path.Combine(ctx.Paths.Vectors, "shard-1.parquet");
        var summary = await VectorFileWriter.WriteAsync(path, ctx.Provider.ModelId, [("text", 4), ("image", 3)], rows);
        await using var db = ctx.Db();
        db.Runs.Add(LedgerSeed.Run(s_run));
        foreach (var id in ids)
        {
            db.Products.Add(LedgerSeed.Product(id, s_run, ProductStage.Embedded, "shard-1", vectorFileId: "shard-1"));
        }

        db.Shards.Add(new ShardEntity { Id = "shard-1", RunId = s_run, Path = "unused", Items = 3, State = ShardState.Collected, JobName = "job" });
        db.VectorFiles.Add(new VectorFileEntity { Id = "shard-1", RunId = s_run, ShardId = "shard-1", Path = path, Rows = 3, Sha256 = summary.Sha256, ModelId = ctx.Provider.ModelId });
        await db.SaveChangesAsync();
        var message = new EmbeddingsCollected
        {
            RunId = s_run, ShardId = "shard-1", VectorFileId = "shard-1", Path = path, Sha256 = summary.Sha256, Rows = 3, ModelVersion = ctx.Provider.ModelId,
        };
        return (ctx, message);
    }

    [Fact]
    public async Task Consume_WrittenFile_UpsertsPointsWithPayloadAndMarksProductsIndexed_TwiceChangesNothing()
    {
        var (ctx, message) = await ArrangeAsync();
        await using (ctx)
        {
            await ctx.Harness.Bus.Publish(message);
            Assert.True(await ctx.Harness.Published.Any<VectorsUpserted>());
            var store = ctx.Services.GetRequiredService<IVectorStore>();
            Assert.Equal(3, await store.CountAsync("products"));
            var point = Assert.Single(await store.RetrieveAsync("products", [PointIds.FromProductId("P2")], withVectors: false));
            Assert.Equal("P2", point.Payload[PointPayload.ProductIdKey]);
            Assert.Equal("Item P2", point.Payload["name"]);

            await using (var db = ctx.Db())
            {
                Assert.All(await db.Products.ToListAsync(), p => Assert.Equal(ProductStage.Indexed, p.Stage));
                Assert.Equal(VectorFileState.Upserted, (await db.VectorFiles.SingleAsync()).State);
                Assert.NotNull((await db.Runs.SingleAsync()).CollectionReadyAt);
            }

            await ctx.Harness.Bus.Publish(message);
            await Eventually.TrueAsync(() => ctx.Harness.Published.Select<VectorsUpserted>().Count() >= 2, "the redelivered message to be answered");

            Assert.Equal(3, await store.CountAsync("products"));
        }
    }

    [Fact]
    public async Task Consume_FileNoLongerMatchesItsHash_IsDroppedAndTheShardCollectedAgain()
    {
        var (ctx, message) = await ArrangeAsync();
        await using (ctx)
        {
            await File.AppendAllTextAsync(message.Path, "garbage");
            await ctx.Harness.Bus.Publish(message);
            Assert.True(await ctx.Harness.Published.Any<CollectShard>());
            Assert.False(await ctx.Harness.Published.Any<VectorsUpserted>());

            await using var db = ctx.Db();
            Assert.Empty(await db.VectorFiles.ToListAsync());
            Assert.Equal(ShardState.Submitted, (await db.Shards.SingleAsync()).State);
            Assert.All(await db.Products.ToListAsync(), p =>
            {
                Assert.Equal(ProductStage.Sharded, p.Stage);
                Assert.Null(p.VectorFileId);
            });
        }
    }
}
