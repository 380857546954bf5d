using System.Text;
using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gme.Tests.Gemini;

/// <summary>
/// The whole pipeline in one process (the embedded composition of `gme run`) with provider gemini against the fake
/// server, faults injected at a share of all calls: every product ends embedded or failed with a reason, and the
/// canary key appears in no log line, ledger row or file.
/// </summary>
public sealed class GeminiPipelineTests
{
    [Theory]
    [InlineData(0.10)]
    [InlineData(0.50)]
    public async Task Run_2000ProductsWithFaults_EveryProductEmbeddedOrFailedWithReason(double faultRate)
    {
        var ct = TestContext.Current.CancellationToken;
        var faults = new FakeGeminiFaults
        {
            CallFaultRate = faultRate,
            FailedBatchRate = 0.05,
            ExpiredBatchRate = 0.05,
            UndownloadableRate = 0.05,
            LineErrorRate = 0.02,
            MissingLineRate = 0.01,
            DuplicateLineRate = 0.01,
        };
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey, faults);
        using var spans = new SpanRecorder();
        using var dir = new TempDirectory();
        var logs = new CapturingLoggerProvider();
        var host = BuildHost(dir.Path, server.BaseAddress, logs);
        await host.StartAsync(ct);
        try
        {
            var spec = new SourceSpec { Kind = "sample", SampleProducts = 2000 };
            var (runId, _) = await host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(spec, "sample", ct);
            await host.Services.GetRequiredService<IBus>().Publish(new RunStarted { RunId = runId }, ct);

            var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
            int total, open;
            do
            {
                await Task.Delay(250, ct); // polling the ledger for the end condition, not sleeping in place of it
                await using var db = dbFactory.CreateDbContext();
                total = await db.Products.CountAsync(ct);
                open = await db.Products.CountAsync(p => !p.Failed && p.Stage < ProductStage.Embedded, ct);
            }
            while ((total < 2000 || open > 0) && DateTime.UtcNow < deadline);

            await using (var db = dbFactory.CreateDbContext())
            {
                var products = await db.Products.AsNoTracking().ToListAsync(ct);
                Assert.Equal(2000, products.Count);
                Assert.All(products, p => Assert.True(p.Stage >= ProductStage.Embedded || (p.Failed && !string.IsNullOrWhiteSpace(p.LastError)),
                    $"product {p.Id} is at {p.Stage} (failed={p.Failed}, error={p.LastError})"));
                var embedded = products.Count(p => !p.Failed);
                Assert.True(embedded > 1000, $"only {embedded} of 2000 embedded");
                TestContext.Current.TestOutputHelper?.WriteLine($"faults {faultRate:P0}: {embedded} embedded, {2000 - embedded} failed with a reason; " +
                    $"{server.Batches.Count} batches, {server.SyncEmbedItems} items synchronous, max active batches {server.MaxConcurrentActiveBatches}");
                foreach (var shard in await db.Shards.AsNoTracking().ToListAsync(ct))
                {
                    // One remote batch per submission attempt: never two for the same attempt.
                    Assert.True(server.Batches.Count(b => GeminiTestContext.IsShard(b.DisplayName, shard.Id)) <= Math.Max(1, shard.Attempts), $"shard {shard.Id}: duplicate batches");
                }
            }
        }
        finally
        {
            // Stopped and disposed before the scan below, so the index releases its files.
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }

        Assert.Empty(server.KeyViolations);
        Assert.Equal(0, server.CreatesBeforeRetryAfter);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(GeminiTestContext.CanaryKey, StringComparison.Ordinal));
        Assert.True(spans.Count > 100, $"only {spans.Count} spans were recorded");
        Assert.DoesNotContain(spans.Texts, t => t.Contains(GeminiTestContext.CanaryKey, StringComparison.Ordinal));
        var canary = Encoding.UTF8.GetBytes(GeminiTestContext.CanaryKey);
        foreach (var file in Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file, ct);
            Assert.True(bytes.AsSpan().IndexOf(canary) < 0, $"canary key found in {file}");
        }
    }

    private static IHost BuildHost(string data, Uri gemini, CapturingLoggerProvider logs) => EmbeddedPipelineHost.Build(
        data,
        new Dictionary<string, string?>
        {
            ["Gme:Provider"] = "gemini",
            ["Gme:Gemini:ApiKey"] = GeminiTestContext.CanaryKey,
            ["Gme:Gemini:BaseUrl"] = gemini.ToString(),
            ["Gme:Gemini:OutputDimensionality"] = "768",
            ["Gme:Gemini:MaxLinesPerShard"] = "100",
            ["Gme:Gemini:InitialBackoff"] = "00:00:00.010",
            ["Gme:Gemini:MaxBackoff"] = "00:00:00.100",
            ["Gme:Gemini:SafeRetryBaseDelay"] = "00:00:00.005",
            ["Gme:Gemini:MaxSafeAttempts"] = "10",
            ["Gme:Gemini:UploadChunkBytes"] = "1048576",
            ["Gme:Gemini:MaxRequestsPerSecond"] = "500",
            ["Gme:Embedder:PollInterval"] = "00:00:01",
        },
        logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
}
