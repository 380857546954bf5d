using Gme.Core.Embeddings;
using Gme.Onnx;
using Microsoft.Extensions.AI;

namespace Gme.Tests.Embedder;

public sealed class LocalOnnxProviderBatchTests(LocalOnnxProviderFixture fixture) : IClassFixture<LocalOnnxProviderFixture>
{
    private string Images => Path.Combine(fixture.Root, "images");

    [Fact]
    public async Task WriteShard_SameItems_WritesIdenticalFilesWithAbsolutePathsAndTokenCount()
    {
        var items = new[] { new EmbeddingInput("p1", "red summer dress", "relative/p1.jpg") };
        var first = ShardPath("deterministic-a");
        var second = ShardPath("deterministic-b");

        var info = await fixture.Provider.WriteShardAsync(items, first, TestContext.Current.CancellationToken);
        await fixture.Provider.WriteShardAsync(items, second, TestContext.Current.CancellationToken);

        Assert.Equal(new ShardFileInfo(1, new FileInfo(first).Length, 5), info);
        Assert.Equal(await File.ReadAllBytesAsync(first, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(second, TestContext.Current.CancellationToken));
        Assert.Contains(Path.GetFullPath("relative/p1.jpg").Replace("\\", "\\\\", StringComparison.Ordinal), await File.ReadAllTextAsync(first, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitShard_MixedItems_EmbedsGoodOnesAndReportsBadImagesPerItem()
    {
        var items = new[]
        {
            new EmbeddingInput("circle", "red round pendant", TestImages.Circle(Images, "rt-circle.png", 128, 128, 60, TestImages.Red)),
            new EmbeddingInput("corrupt", "broken photo", TestImages.Corrupt(Images, "rt-corrupt.jpg")),
            new EmbeddingInput("stripes", "Crème striped shirt", TestImages.Stripes(Images, "rt-stripes.jpg", 16, TestImages.Blue)),
            new EmbeddingInput("missing", "no photo", Path.Combine(Images, "rt-missing.jpg")),
        };
        var shard = ShardPath("round-trip");
        await fixture.Provider.WriteShardAsync(items, shard, TestContext.Current.CancellationToken);

        var job = await fixture.Provider.SubmitShardAsync("round-trip", shard, TestContext.Current.CancellationToken);
        var status = await fixture.Provider.GetJobStatusAsync(job, TestContext.Current.CancellationToken);
        var results = await fixture.Provider.ReadResultsAsync(job, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal("local-round-trip", job);
        Assert.Equal(BatchJobState.Succeeded, status.State);
        Assert.Equal(["circle", "corrupt", "stripes", "missing"], results.Select(r => r.Key));
        foreach (var good in new[] { results[0], results[2] })
        {
            Assert.Null(good.Error);
            Assert.NotNull(good.Vectors);
            VectorAssert.UnitLength(good.Vectors[LocalOnnxProvider.TextSpace], 384);
            VectorAssert.UnitLength(good.Vectors[LocalOnnxProvider.ImageSpace], 512);
        }

        Assert.Null(results[1].Vectors);
        Assert.Contains("rt-corrupt.jpg", results[1].Error, StringComparison.Ordinal);
        Assert.Null(results[3].Vectors);
        Assert.Contains("does not exist", results[3].Error, StringComparison.Ordinal);

        // The batch path embeds the document text as the encoder does; the query path adds the model's query
        // instruction (arctic-embed-xs is asymmetric), so the same words give the same vector only with the prefix.
        using var encoder = new MiniLmTextEncoder(new LocalModelOptions());
        var ct = TestContext.Current.CancellationToken;
        var document = encoder.Embed(["red round pendant"], ct)[0];
        Assert.Equal(1.0, VectorAssert.Cosine(document, results[0].Vectors![LocalOnnxProvider.TextSpace]), 4);
        var query = await fixture.Provider.Queries[LocalOnnxProvider.TextSpace].Text!.GenerateVectorAsync("red round pendant", cancellationToken: ct);
        Assert.Equal(1.0, VectorAssert.Cosine(query.ToArray(), encoder.Embed([encoder.QueryPrefix + "red round pendant"], ct)[0]), 4);
    }

    [Fact]
    public async Task SubmitShard_Again_ReturnsSameJobWithoutRecomputing()
    {
        var items = new[] { new EmbeddingInput("p1", "blue denim jacket", TestImages.Stripes(Images, "again.png", 8, TestImages.Blue)) };
        var shard = ShardPath("again");
        await fixture.Provider.WriteShardAsync(items, shard, TestContext.Current.CancellationToken);
        var job = await fixture.Provider.SubmitShardAsync("again", shard, TestContext.Current.CancellationToken);
        var results = Path.Combine(fixture.Paths.Jobs, job + ".jsonl");
        var written = File.GetLastWriteTimeUtc(results);
        var bytes = await File.ReadAllBytesAsync(results, TestContext.Current.CancellationToken);

        // Without the shard file a recomputation would fail, so success proves the results were reused.
        File.Delete(shard);
        var again = await fixture.Provider.SubmitShardAsync("again", shard, TestContext.Current.CancellationToken);

        Assert.Equal(job, again);
        Assert.Equal(written, File.GetLastWriteTimeUtc(results));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(results, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SubmitShard_MissingShardFile_ThrowsFileNotFound()
    {
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() =>
            fixture.Provider.SubmitShardAsync("never-written", ShardPath("never-written"), TestContext.Current.CancellationToken));

        Assert.Contains("never-written", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJobStatus_NoResultsFile_IsFailedAndAsksForResubmission()
    {
        var status = await fixture.Provider.GetJobStatusAsync("local-unknown", TestContext.Current.CancellationToken);

        Assert.Equal(BatchJobState.Failed, status.State);
        Assert.Contains("submitted again", status.Error, StringComparison.Ordinal);
    }

    private string ShardPath(string shardId) => Path.Combine(fixture.Paths.Shards, shardId + ".jsonl");
}
