using System.Net;
using Gme.Core.Embeddings;
using Gme.Gemini;
using System.Text.Json;

namespace Gme.Tests.Gemini;

public sealed class GeminiClientTests
{
    [Theory]
    [InlineData("BATCH_STATE_SUCCEEDED", BatchJobState.Succeeded)]
    [InlineData("JOB_STATE_SUCCEEDED", BatchJobState.Succeeded)]
    [InlineData("BATCH_STATE_FAILED", BatchJobState.Failed)]
    [InlineData("JOB_STATE_EXPIRED", BatchJobState.Expired)]
    [InlineData("BATCH_STATE_CANCELLED", BatchJobState.Cancelled)]
    [InlineData("JOB_STATE_RUNNING", BatchJobState.Running)]
    [InlineData("BATCH_STATE_PENDING", BatchJobState.Pending)]
    [InlineData("JOB_STATE_QUEUED", BatchJobState.Pending)]
    [InlineData(null, BatchJobState.Pending)]
    public void MapState_EitherPrefix_MapsToSameState(string? state, BatchJobState expected) =>
        Assert.Equal(expected, GeminiClient.MapState(state));

    [Fact]
    public void ReadBatch_Int64AsStringAndUnknownFields_ReadsOutputFromMetadataOrResponse()
    {
        const string json = """
            {"name":"batches/abc","metadata":{"@type":"x","model":"models/gemini-embedding-2","displayName":"shard-1",
             "state":"BATCH_STATE_SUCCEEDED","batchStats":{"requestCount":"40","failedRequestCount":1},"futureField":{"a":[1]},
             "name":"batches/abc"},"done":true,"response":{"@type":"y","responsesFile":"files/batch-abc"}}
            """;
        using var doc = JsonDocument.Parse(json);
        var batch = GeminiClient.ReadBatch(doc.RootElement);
        Assert.Equal("batches/abc", batch.Name);
        Assert.Equal("shard-1", batch.DisplayName);
        Assert.Equal(BatchJobState.Succeeded, batch.State);
        Assert.Equal("files/batch-abc", batch.ResponsesFile);
        Assert.Equal(40, batch.RequestCount);
        Assert.Equal(1, batch.FailedRequestCount);
        Assert.True(batch.Done);
    }

    [Fact]
    public void ParseResultLine_EmbeddingEmbeddingsOrError_AllRead()
    {
        var a = GeminiClient.ParseResultLine("""{"key":"a","response":{"embedding":{"values":[0.6,0.8]},"tokenCount":"3"}}""");
        var b = GeminiClient.ParseResultLine("""{"key":"b","response":{"embeddings":[{"values":[1,0]}]}}""");
        var c = GeminiClient.ParseResultLine("""{"key":"c","error":{"code":3,"message":"bad image","details":[]}}""");
        var d = GeminiClient.ParseResultLine("""{"key":"d","response":{}}""");
        Assert.Equal([0.6f, 0.8f], a.Values!);
        Assert.Equal([1f, 0f], b.Values!);
        Assert.Null(c.Values);
        Assert.Contains("bad image", c.Error, StringComparison.Ordinal);
        Assert.NotNull(d.Error);
    }

    [Theory]
    [InlineData("47s", 47_000)]
    [InlineData("0.5s", 500)]
    [InlineData("oops", -1)]
    public void ParseDuration_ProtobufDuration_Parsed(string text, int expectedMs)
    {
        var parsed = GeminiRetryHints.ParseDuration(text);
        Assert.Equal(expectedMs < 0 ? null : TimeSpan.FromMilliseconds(expectedMs), parsed);
    }

    [Fact]
    public void SecretRedactor_TextWithKey_KeyRemoved()
    {
        var text = SecretRedactor.Redact($"key {GeminiTestContext.CanaryKey} is invalid", GeminiTestContext.CanaryKey);
        Assert.DoesNotContain(GeminiTestContext.CanaryKey, text, StringComparison.Ordinal);
        Assert.Contains(SecretRedactor.Mask, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_AnswerLostAfterChunkStored_ResumesFromServerOffset()
    {
        await using var ctx = await GeminiTestContext.StartAsync();
        var (_, path) = await ctx.WriteShardAsync(8);
        ctx.Server.InterruptNextUploadChunks = 1;

        var file = await ctx.Client.UploadFileAsync(path, "shard-test", "application/jsonl", TestContext.Current.CancellationToken);

        Assert.Equal(new FileInfo(path).Length, file.SizeBytes);
        Assert.Single(ctx.Server.UploadedFiles);
        Assert.Contains(ctx.Logs.Lines, l => l.Contains("resuming", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Call_WrongKey_ErrorNamesStatusButNotTheKey()
    {
        await using var ctx = await GeminiTestContext.StartAsync(configure: o => o.ApiKey = GeminiTestContext.CanaryKey + "X");
        var ex = await Assert.ThrowsAsync<GeminiApiException>(() => ctx.Client.GetBatchAsync("batches/none", TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.DoesNotContain(GeminiTestContext.CanaryKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchEmbedContents_MoreThan100_RejectedBeforeSending()
    {
        await using var ctx = await GeminiTestContext.StartAsync();
        var requests = Enumerable.Repeat("{}", 101).ToList();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ctx.Client.BatchEmbedContentsAsync(requests, TestContext.Current.CancellationToken));
        Assert.Equal(0, ctx.Server.SyncEmbedCalls);
    }
}
