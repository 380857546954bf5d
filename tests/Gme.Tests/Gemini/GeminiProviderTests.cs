using Gme.Core.Embeddings;
using Gme.Gemini;
using Microsoft.Extensions.AI;

namespace Gme.Tests.Gemini;

public sealed class GeminiProviderTests
{
    [Fact]
    public async Task WriteShard_Products_OneLinePerProductWithTextAndInlineJpeg()
    {
        await using var ctx = await GeminiTestContext.StartAsync();
        var (_, path) = await ctx.WriteShardAsync(3);

        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(3, lines.Length);
        Assert.Contains("\"key\":\"shard-test-p0000\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"text\":\"title: none | text: Product 0", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"/9j/", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"outputDimensionality\":768", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("taskType", lines[0], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Spaces_Default_OneProductSpaceForTextAndImage()
    {
        await using var ctx = await GeminiTestContext.StartAsync(configure: o => o.OutputDimensionality = 1536);
        var space = Assert.Single(ctx.Provider.Spaces);
        Assert.Equal(("product", 1536), (space.Name, space.Dimensions));
        Assert.Equal(Modality.Text | Modality.Image, space.Embeds);
        Assert.Equal(Modality.Text | Modality.Image, space.Queries);
    }

    [Fact]
    public async Task ReadResults_LineErrorsMissingAndDuplicates_RetriedSynchronouslyEveryKeyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var faults = new FakeGeminiFaults { LineErrorRate = 0.1, MissingLineRate = 0.1, DuplicateLineRate = 0.1 };
        faults.PoisonKeys.Add("Product 7:");
        await using var ctx = await GeminiTestContext.StartAsync(faults);
        var (shardId, path) = await ctx.WriteShardAsync(40);

        var job = await ctx.Provider.SubmitShardAsync(shardId, path, ct);
        await PollUntilDoneAsync(ctx, job);
        var results = await ctx.Provider.ReadResultsAsync(job, ct).ToListAsync(ct);

        Assert.Equal(40, results.Select(r => r.Key).Distinct().Count());
        Assert.Equal(40, results.Count);
        var failed = Assert.Single(results, r => r.Error is not null);
        Assert.Equal("shard-test-p0007", failed.Key);
        Assert.Contains("synchronous attempts", failed.Error, StringComparison.Ordinal);
        Assert.All(results.Where(r => r.Error is null), r => Assert.Equal(768, r.Vectors!["product"].Length));
        Assert.True(ctx.Server.SyncEmbedItems > 0);
        Assert.Empty(await new GeminiSpendLedger(ctx.Paths).ReadAllAsync(ct)); // reading records nothing
        Assert.NotEmpty(ctx.Server.AllFiles); // and deletes nothing

        await ctx.Provider.ReleaseJobAsync(job, ctx.Provider.DescribeRelease(job), ct);
        Assert.Empty(ctx.Server.AllFiles);
        var spend = await new GeminiSpendLedger(ctx.Paths).ReadAllAsync(ct);
        Assert.Contains(spend, s => s.Mode == "batch" && s.Usd > 0);
        Assert.Contains(spend, s => s.Mode == "sync" && s.Usd > 0);
    }

    [Fact]
    public async Task ReadResults_ResponsesFileUndownloadable_FallsBackToSynchronousAfterRetries()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ctx = await GeminiTestContext.StartAsync(new FakeGeminiFaults { UndownloadableRate = 1 }, o => o.MaxSafeAttempts = 2);
        var (shardId, path) = await ctx.WriteShardAsync(5);
        var job = await ctx.Provider.SubmitShardAsync(shardId, path, ct);
        await PollUntilDoneAsync(ctx, job);

        await Assert.ThrowsAsync<GeminiApiException>(() => ctx.Provider.ReadResultsAsync(job, ct).ToListAsync(ct).AsTask());
        await Assert.ThrowsAsync<GeminiApiException>(() => ctx.Provider.ReadResultsAsync(job, ct).ToListAsync(ct).AsTask());
        var results = await ctx.Provider.ReadResultsAsync(job, ct).ToListAsync(ct);

        Assert.Equal(5, results.Count(r => r.Error is null));
        Assert.Equal(5, ctx.Server.SyncEmbedItems);
    }

    [Fact]
    public async Task Submit_AfterFailedBatch_CreatesNewBatchInsteadOfReusingFailedOne()
    {
        var ct = TestContext.Current.CancellationToken;
        var faults = new FakeGeminiFaults { FailedBatchRate = 1 };
        await using var ctx = await GeminiTestContext.StartAsync(faults);
        var (shardId, path) = await ctx.WriteShardAsync(3);
        var first = await ctx.Provider.SubmitShardAsync(shardId, path, ct);
        var status = await PollUntilDoneAsync(ctx, first);
        Assert.Equal(BatchJobState.Failed, status.State);
        Assert.NotNull(status.Error);

        faults.FailedBatchRate = 0;
        var second = await ctx.Provider.SubmitShardAsync(shardId, path, ct);

        Assert.NotEqual(first, second);
        Assert.Equal(2, ctx.Server.Batches.Count(b => GeminiTestContext.IsShard(b.DisplayName, shardId)));
        Assert.Single(ctx.Server.UploadedFiles); // the input file was reused, not uploaded again
    }

    [Fact]
    public async Task Submit_SmallShardBelowSyncThreshold_EmbeddedSynchronouslyWithoutBatch()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ctx = await GeminiTestContext.StartAsync(configure: o => o.SyncFallbackMaxItems = 10);
        var (shardId, path) = await ctx.WriteShardAsync(4);

        var job = await ctx.Provider.SubmitShardAsync(shardId, path, ct);
        var again = await ctx.Provider.SubmitShardAsync(shardId, path, ct);

        Assert.StartsWith(GeminiEmbeddingProvider.SyncJobPrefix, job, StringComparison.Ordinal);
        Assert.Equal(job, again);
        Assert.Equal(4, ctx.Server.SyncEmbedItems); // the repeat did not pay again
        Assert.Empty(ctx.Server.Batches);
        Assert.Equal(BatchJobState.Succeeded, (await ctx.Provider.GetJobStatusAsync(job, ct)).State);
        Assert.Equal(4, (await ctx.Provider.ReadResultsAsync(job, ct).ToListAsync(ct)).Count(r => r.Error is null));
        var spend = Assert.Single(await new GeminiSpendLedger(ctx.Paths).ReadAllAsync(ct));
        Assert.Equal("sync", spend.Mode);
    }

    [Fact]
    public async Task Submit_RateLimitedCreates_WaitsAsAskedAndLowersAdmission()
    {
        var ct = TestContext.Current.CancellationToken;
        var faults = new FakeGeminiFaults { CallFaultRate = 0.5, RetryDelay = TimeSpan.FromMilliseconds(30) };
        await using var ctx = await GeminiTestContext.StartAsync(faults, o => o.MaxSafeAttempts = 10);
        for (var i = 0; i < 6; i++)
        {
            var (shardId, path) = await ctx.WriteShardAsync(2, $"shard-rl-{i}");
            var job = await SubmitSurvivingFaultsAsync(ctx, shardId, path);
            Assert.Single(ctx.Server.Batches, b => GeminiTestContext.IsShard(b.DisplayName, shardId) && b.Name == job);

            // Jobs that finish free admission: halved limits would otherwise hold later shards back.
            await PollUntilDoneAsync(ctx, job);
        }

        Assert.Equal(0, ctx.Server.CreatesBeforeRetryAfter);
        Assert.Empty(ctx.Server.KeyViolations);
    }

    [Fact]
    public async Task Submit_CostCapReached_NothingSentAndBudgetErrorExplains()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ctx = await GeminiTestContext.StartAsync(configure: o => o.MaxCostUsd = 0.0001);
        var (shardId, path) = await ctx.WriteShardAsync(5);

        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => ctx.Provider.SubmitShardAsync(shardId, path, ct));

        Assert.Contains("cost cap", ex.Message, StringComparison.Ordinal);
        Assert.Empty(ctx.Server.Batches);
        Assert.Empty(ctx.Server.UploadedFiles);
        Assert.Equal(0, ctx.Server.CreateCalls);
    }

    [Fact]
    public async Task EmbedQuery_Text_UnitVectorOfConfiguredSize()
    {
        await using var ctx = await GeminiTestContext.StartAsync();
        var vector = (await TextQueries(ctx.Provider).GenerateVectorAsync("red dress", cancellationToken: TestContext.Current.CancellationToken)).ToArray();
        Assert.Equal(768, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 1e-4);
    }

    [Fact]
    public async Task EmbedQuery_TextAndImage_OneCallIntoOneFusedVector()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ctx = await GeminiTestContext.StartAsync();
        var space = ctx.Provider.Queries[GeminiEmbeddingProvider.ProductSpace];
        var photo = new DataContent(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }, "image/jpeg");

        var text = await space.Text!.GenerateVectorAsync("red dress", cancellationToken: ct);
        var image = await space.Image!.GenerateVectorAsync(photo, cancellationToken: ct);
        var callsBefore = ctx.Server.SyncEmbedCalls;
        var both = await space.TextAndImage!.GenerateVectorAsync([new TextContent("red dress"), photo], cancellationToken: ct);

        Assert.Equal(callsBefore + 1, ctx.Server.SyncEmbedCalls);
        Assert.Equal(768, both.Length);
        Assert.False(both.Span.SequenceEqual(text.Span));
        Assert.False(both.Span.SequenceEqual(image.Span));
    }

    [Fact]
    public async Task EmbedQuery_NotAnImage_RefusedBeforeAnyCall()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ctx = await GeminiTestContext.StartAsync();
        var calls = ctx.Server.SyncEmbedCalls;

        await Assert.ThrowsAsync<ArgumentException>(() =>
            ctx.Provider.Queries[GeminiEmbeddingProvider.ProductSpace].Image!.GenerateVectorAsync(new DataContent(new byte[] { 1 }, "text/plain"), cancellationToken: ct));
        Assert.Equal(calls, ctx.Server.SyncEmbedCalls);
    }

    [Fact]
    public async Task ReadResults_ResultsFileExpired_ResultsLostAndResubmitCreatesNewBatch()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ctx = await GeminiTestContext.StartAsync();
        var (shardId, path) = await ctx.WriteShardAsync(3);
        var first = await ctx.Provider.SubmitShardAsync(shardId, path, ct);
        await PollUntilDoneAsync(ctx, first);
        ctx.Server.ExpireResults();

        await Assert.ThrowsAsync<JobResultsLostException>(() => ctx.Provider.ReadResultsAsync(first, ct).ToListAsync(ct).AsTask());
        var second = await ctx.NewProvider().SubmitShardAsync(shardId, path, ct);

        Assert.NotEqual(first, second); // the succeeded batch without results is not adopted
        await PollUntilDoneAsync(ctx, second);
        Assert.Equal(3, (await ctx.Provider.ReadResultsAsync(second, ct).ToListAsync(ct)).Count(r => r.Error is null));
    }

    [Fact]
    public async Task Submit_OtherOutputSizeOnSameAccount_NeverAdoptsTheOtherSizesBatch()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ctx = await GeminiTestContext.StartAsync();
        var (shardId, path) = await ctx.WriteShardAsync(3);
        var at768 = await ctx.Provider.SubmitShardAsync(shardId, path, ct);

        ctx.Options.OutputDimensionality = 1536;
        var provider = ctx.NewProvider();
        var (_, path1536) = await ctx.WriteShardAsync(3);
        var at1536 = await provider.SubmitShardAsync(shardId, path1536, ct);

        Assert.NotEqual(at768, at1536);
        await PollUntilDoneAsync(ctx, at1536);
        Assert.All(await provider.ReadResultsAsync(at1536, ct).ToListAsync(ct), r => Assert.Equal(1536, r.Vectors!["product"].Length));
    }

    [Fact]
    public async Task EmbedQuery_RateLimitedAndUnavailable_RetriedWithinDeadlineThenOneClearException()
    {
        var ct = TestContext.Current.CancellationToken;
        var faults = new FakeGeminiFaults { CallFaultRate = 0.6 };
        await using var ctx = await GeminiTestContext.StartAsync(faults, o => o.QueryDeadline = TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(768, (await TextQueries(ctx.Provider).GenerateVectorAsync("red dress " + i, cancellationToken: ct)).Length);
        }

        faults.CallFaultRate = 1;
        ctx.Options.QueryDeadline = TimeSpan.FromMilliseconds(300);
        var ex = await Assert.ThrowsAsync<EmbeddingUnavailableException>(() =>
            TextQueries(ctx.NewProvider()).GenerateVectorAsync("red dress", cancellationToken: ct));
        Assert.DoesNotContain(GeminiTestContext.CanaryKey, ex.Message, StringComparison.Ordinal);
    }

    private static IEmbeddingGenerator<string, Embedding<float>> TextQueries(GeminiEmbeddingProvider provider) =>
        provider.Queries[GeminiEmbeddingProvider.ProductSpace].Text!;

    /// <summary>What the pipeline does: a submit that throws is delivered again (the ledger says Submitting).</summary>
    internal static async Task<string> SubmitSurvivingFaultsAsync(GeminiTestContext ctx, string shardId, string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ctx.Provider.SubmitShardAsync(shardId, path, TestContext.Current.CancellationToken);
            }
            catch (GeminiApiException) when (attempt < 20)
            {
            }
        }
    }

    internal static async Task<BatchJobStatus> PollUntilDoneAsync(GeminiTestContext ctx, string job)
    {
        while (true)
        {
            var status = await ctx.Provider.GetJobStatusAsync(job, TestContext.Current.CancellationToken);
            if (status.IsTerminal)
            {
                return status;
            }
        }
    }
}
