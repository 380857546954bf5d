using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Gemini;

/// <summary>
/// Issue 11: the happy path's remote calls per shard, by endpoint, for a first run of 300 products in 3 shards against
/// a fresh fake account (5 validation queries and, where the build has it, the end-of-run sweep included). The same
/// file measures the old build (375c333) the same way, so the two tables compare.
/// </summary>
public sealed class GeminiHappyPathRequestsTests
{
    private const int Products = 300; // three shards of 100

    [Fact]
    public async Task FirstRun_300Products3Shards_RequestsPerShardByEndpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey);
        using var dir = new TempDirectory();
        using var host = EmbeddedPipelineHost.Build(dir.Path, Settings(server.BaseAddress));
        await host.StartAsync(ct);
        int shards;
        try
        {
            var (runId, _) = await host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(
                new SourceSpec { Kind = "sample", SampleProducts = Products }, "sample", ct);
            await host.Services.GetRequiredService<IBus>().Publish(new RunStarted { RunId = runId }, ct);
            var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
            await Eventually.TrueAsync(async () =>
            {
                await using var db = dbFactory.CreateDbContext();
                return await db.Runs.AnyAsync(r => r.Id == runId && r.Status == RunStatus.Completed, ct);
            }, "the run validated and completed", ct);

            // Then until the account has been quiet for three poll intervals: what follows the completion (releases,
            // the sweep) belongs to the run too. A measurement's end condition, not a wait in place of one.
            var last = -1;
            while (last != server.Requests)
            {
                last = server.Requests;
                await Task.Delay(TimeSpan.FromSeconds(3), ct);
            }

            await using var ledger = dbFactory.CreateDbContext();
            var products = await ledger.Products.AsNoTracking().ToListAsync(ct);
            Assert.Equal(Products, products.Count);
            Assert.All(products, p => Assert.Equal(ProductStage.Indexed, p.Stage));
            Assert.Equal(Products, await ledger.VectorFiles.AsNoTracking().SumAsync(f => f.Rows, ct));
            shards = await ledger.Shards.CountAsync(ct);
            Assert.Equal(3, shards);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        var counts = FakeGeminiEndpoints.Since(server.RequestsByEndpoint, null);
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"first run, {Products} products, {shards} shards: {server.Requests} requests = {server.Requests / (double)shards:F1} per shard, files left {server.UploadedFiles.Count}");
        foreach (var endpoint in FakeGeminiEndpoints.All)
        {
            output?.WriteLine(FormattableString.Invariant($"| {endpoint} | {counts[endpoint]} | {counts[endpoint] / (double)shards:0.##} |"));
        }

        // The bound is the point: no more requests than the old main (375c333) made in this same scenario, measured
        // the same way (38 for 3 shards: 12.7 per shard). Per shard now: upload start + 1 chunk, the submit's
        // batches.list and files.list (a crashed or earlier submit is found by name), 1 create, 2 polls (the read
        // reuses the poll that saw it finish), 1 download, 2 deletes; per run: 5 validation queries and the sweep's
        // two lists. The fake's polls are deterministic, so a files.get or list per poll, or a second list per shard,
        // breaks it.
        Assert.True(server.Requests <= BaselineRequests, $"{server.Requests} requests for {shards} shards, the old main made {BaselineRequests}");
        Assert.Equal(shards, counts[FakeGeminiEndpoints.BatchesCreate]);
        Assert.Equal(0, counts[FakeGeminiEndpoints.FilesGet]); // nothing to adopt on a fresh account: no check
        Assert.Equal(0, counts[FakeGeminiEndpoints.BatchEmbedContents]); // nothing embedded synchronously
    }

    private static Dictionary<string, string?> Settings(Uri baseUrl) => new()
    {
        ["Gme:Provider"] = "gemini",
        ["Gme:Gemini:ApiKey"] = GeminiTestContext.CanaryKey,
        ["Gme:Gemini:BaseUrl"] = baseUrl.ToString(),
        ["Gme:Gemini:OutputDimensionality"] = "768",
        ["Gme:Gemini:MaxLinesPerShard"] = "100",
        ["Gme:Gemini:InitialBackoff"] = "00:00:00.010",
        ["Gme:Gemini:MaxBackoff"] = "00:00:00.100",
        ["Gme:Gemini:SafeRetryBaseDelay"] = "00:00:00.005",
        ["Gme:Gemini:MaxSafeAttempts"] = "10",
        ["Gme:Gemini:MaxRequestsPerSecond"] = "500",
        ["Gme:Embedder:PollInterval"] = "00:00:01",
    };

    /// <summary>Requests of the old main (375c333) in this scenario, measured with this file on that commit.</summary>
    private const int BaselineRequests = 38;
}
