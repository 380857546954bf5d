using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.VectorFiles;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;

namespace Gme.Tests.Stages;

public sealed class CollectShardConsumerTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    private static async Task<StageTestContext> ArrangeAsync(int products = 4)
    {
        var ctx = await StageTestContext.CreateAsync(x => x.AddConsumer<CollectShardConsumer>());
        await using var db = ctx.Db();
        db.Runs.Add(LedgerSeed.Run(s_run));
        var ids = Enumerable.Range(1, products).Select(i => $"P{i}").ToList();
        foreach (var id in ids)
        {
            db.Products.Add(LedgerSeed.Product(id, s_run, ProductStage.Sharded, "shard-1"));
        }

        var path = Path.Combine(ctx.Paths.Shards, "shard-1.jsonl");
        await ctx.Provider.WriteShardAsync(ids.Select(i => new EmbeddingInput(i, i, "/x.jpg")).ToList(), path);
        var job = await ctx.Provider.SubmitShardAsync("shard-1", path);
        db.Shards.Add(new ShardEntity { Id = "shard-1", RunId = s_run, Path = path, Items = products, State = ShardState.Submitted, JobName = job, Attempts = 1 });
        await db.SaveChangesAsync();
        return ctx;
    }

    private static Task PublishAsync(StageTestContext ctx) =>
        ctx.Harness.Bus.Publish(new ShardSubmitted { RunId = s_run, ShardId = "shard-1", JobName = "ignored" });

    [Fact]
    public async Task Consume_SucceededJob_WritesParquetAndMarksProductsEmbedded()
    {
        await using var ctx = await ArrangeAsync();
        await PublishAsync(ctx);
        Assert.True(await ctx.Harness.Published.Any<EmbeddingsCollected>());

        await using var db = ctx.Db();
        Assert.All(await db.Products.ToListAsync(), p => Assert.Equal(ProductStage.Embedded, p.Stage));
        var file = await db.VectorFiles.SingleAsync();
        var rows = await VectorFileReader.ReadRowsAsync(file.Path, CancellationToken.None).ToListAsync();
        Assert.Equal(["P1", "P2", "P3", "P4"], rows.Select(r => r.ProductId).Order());
        Assert.Equal(ctx.Provider.Good("P2").Vectors!["text"], rows.Single(r => r.ProductId == "P2").Vectors["text"]);
        Assert.Equal(ShardState.Collected, (await db.Shards.SingleAsync()).State);
    }

    [Fact]
    public async Task Consume_BadVectorsAndLineErrors_FailOnlyThoseProductsWithReasons()
    {
        await using var ctx = await ArrangeAsync();
        ctx.Provider.ResultOverride = key => key switch
        {
            "P1" => new EmbeddingResult(key, new Dictionary<string, float[]> { ["text"] = [float.NaN, 1, 1, 1], ["image"] = [1, 1, 1] }, null),
            "P2" => new EmbeddingResult(key, new Dictionary<string, float[]> { ["text"] = [1, 1], ["image"] = [1, 1, 1] }, null),
            "P3" => new EmbeddingResult(key, null, "INVALID_ARGUMENT: image too large"),
            _ => ctx.Provider.Good(key),
        };
        ctx.Provider.ExtraResults.Add(ctx.Provider.Good("UNKNOWN"));
        ctx.Provider.ExtraResults.Add(new EmbeddingResult("P4", new Dictionary<string, float[]> { ["text"] = [9, 9, 9, 9], ["image"] = [9, 9, 9] }, null));

        await PublishAsync(ctx);
        Assert.True(await ctx.Harness.Published.Any<EmbeddingsCollected>());

        await using var db = ctx.Db();
        var products = await db.Products.ToDictionaryAsync(p => p.Id);
        Assert.Contains("NaN", products["P1"].LastError);
        Assert.Contains("expected 4 dimensions", products["P2"].LastError);
        Assert.Equal("embedding: INVALID_ARGUMENT: image too large", products["P3"].LastError);
        Assert.True(products["P1"].Failed && products["P2"].Failed && products["P3"].Failed);
        Assert.Equal(ProductStage.Embedded, products["P4"].Stage);

        var rows = await VectorFileReader.ReadRowsAsync((await db.VectorFiles.SingleAsync()).Path, CancellationToken.None).ToListAsync();
        var row = Assert.Single(rows);
        Assert.Equal("P4", row.ProductId);
        Assert.Equal(ctx.Provider.Good("P4").Vectors!["text"], row.Vectors["text"]); // the first line wins, the duplicate is ignored
    }

    [Fact]
    public async Task Consume_FailedJobAtMaxAttempts_FailsProductsWithTheReason()
    {
        await using var ctx = await ArrangeAsync();
        ctx.Provider.JobOutcomes[2] = new BatchJobStatus(BatchJobState.Failed, "internal");
        await using (var db = ctx.Db())
        {
            var shard = await db.Shards.SingleAsync();
            shard.Attempts = 3;
            shard.JobName = await ctx.Provider.SubmitShardAsync("shard-1", shard.Path);
            await db.SaveChangesAsync();
        }

        await PublishAsync(ctx);
        Assert.True(await ctx.Harness.Consumed.Any<ShardSubmitted>());
        await using (var db = ctx.Db())
        {
            await Eventually.TrueAsync(async () => (await db.Shards.AsNoTracking().SingleAsync()).State == ShardState.Failed, "the shard to fail");
            var products = await db.Products.AsNoTracking().ToListAsync();
            Assert.All(products, p =>
            {
                Assert.True(p.Failed);
                Assert.Equal("embedding job failed: internal", p.LastError);
            });
        }

        Assert.False(await ctx.Harness.Published.Any<ShardBuilt>());
    }

    [Fact]
    public async Task Consume_FailedJobBelowMaxAttempts_GoesBackToBuiltAndIsAnnouncedAgain()
    {
        await using var ctx = await ArrangeAsync();
        ctx.Provider.JobOutcomes[2] = new BatchJobStatus(BatchJobState.Failed, "quota");
        await using (var db = ctx.Db())
        {
            var shard = await db.Shards.SingleAsync();
            shard.JobName = await ctx.Provider.SubmitShardAsync("shard-1", shard.Path);
            await db.SaveChangesAsync();
        }

        await PublishAsync(ctx);
        Assert.True(await ctx.Harness.Published.Any<ShardBuilt>());
        await using var check = ctx.Db();
        var state = await check.Shards.SingleAsync();
        Assert.Equal(ShardState.Built, state.State);
        Assert.Null(state.JobName);
        Assert.All(await check.Products.ToListAsync(), p => Assert.False(p.Failed));
    }

    [Fact]
    public async Task Consume_Redelivered_DoesNotRewriteTheFile()
    {
        await using var ctx = await ArrangeAsync();
        await PublishAsync(ctx);
        Assert.True(await ctx.Harness.Published.Any<EmbeddingsCollected>());
        string path;
        DateTime written;
        await using (var db = ctx.Db())
        {
            path = (await db.VectorFiles.SingleAsync()).Path;
            written = File.GetLastWriteTimeUtc(path);
        }

        await PublishAsync(ctx);
        await Eventually.TrueAsync(() => ctx.Harness.Published.Select<EmbeddingsCollected>().Count() == 2, "the redelivered message to be answered");
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        await using var check = ctx.Db();
        Assert.Equal(1, await check.VectorFiles.CountAsync());
    }
}
