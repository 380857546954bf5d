using System.Collections.Concurrent;
using Gme.Contracts;
using Gme.Core.Errors;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Gemini;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gme.Tests.Gemini;

/// <summary>
/// Issue 10 item 4 and issue 11, against the fake account: remote effects happen only after the collect commit, a
/// second data dir on the same account never adopts spent work, a model change is refused, faults and stuck jobs end
/// with every product indexed once and nothing left in remote storage.
/// </summary>
public sealed partial class GeminiRemoteEffectsTests
{
    private const int Products = 300; // three shards of 100

    [Fact]
    public async Task Rerun_SameCatalogueFreshDataDirSameAccount_NewBatchesNoLost404AndNothingLeft()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey);

        using (var first = new TempDirectory())
        {
            var firstRun = await RunAsync(first.Path, server, ct: ct);
            Report("first run", firstRun, server);
            Assert.Equal(3, firstRun.Shards);
            Assert.Equal(3, server.Batches.Count);
        }

        var requestsBefore = server.Requests;
        using var second = new TempDirectory();
        var rerun = await RunAsync(second.Path, server, ct: ct);
        Report("re-run, fresh data dir", rerun, server, requestsBefore);

        // The first run's batches succeeded but their results were released: lost to the new ledger, never adopted.
        Assert.Equal(6, server.Batches.Count);
        Assert.Equal(0, server.MissingDownloads);
        Assert.Equal(6, server.CreateCalls);
    }

    [Fact]
    public async Task Collect_CommitFailsAfterResultsRead_RetryCollectsWithout404PaysOnceAndLeavesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey);
        using var dir = new TempDirectory();
        var failing = new FailFirstCollectCommit();

        var result = await RunAsync(dir.Path, server, services: s => s.ConfigureDbContext<SqliteLedgerDbContext>(o => o.AddInterceptors(failing)), ct: ct);
        Report("collect commit failed once per shard", result, server);

        Assert.Equal(3, failing.Failed.Count); // every shard's first collect commit failed after its results were read
        Assert.Equal(0, server.MissingDownloads);
        Assert.Equal(3, server.CreateCalls);
        Assert.Equal(0, server.SyncLineItems);
        var spend = await new GeminiSpendLedger(new Gme.Core.Storage.DataPaths(dir.Path)).ReadAllAsync(ct);
        Assert.Equal(3, spend.Count(s => s.Mode == "batch"));
        Assert.All(spend, s => Assert.False(s.Estimated)); // from the results' usageMetadata
        Assert.Equal(Products * (long)FakeGeminiServer.TokensPerLine, spend.Sum(s => s.ActualTokens ?? 0));
    }

    [Fact]
    public async Task Release_CrashRightAfterResultsDelete_ResumeFinishesWithNoExtraPaidRequestAndNothingLeft()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey);
        using var dir = new TempDirectory();
        var crashed = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        var result = await RunAsync(dir.Path, server, configure: host =>
        {
            host.Services.GetRequiredService<GeminiEmbeddingProvider>().AfterResultsDeleteHook = job =>
                crashed.TryAdd(job, true) ? throw new SimulatedCrashException($"killed after deleting the results of {job}") : Task.CompletedTask;
            return Task.CompletedTask;
        }, ct: ct);
        Report("crash after results delete", result, server);

        Assert.Equal(3, crashed.Count);
        Assert.Equal(3, server.CreateCalls); // nothing paid twice: no new batch
        Assert.Equal(0, server.SyncLineItems); // and no synchronous re-embedding
        Assert.Equal(0, server.MissingDownloads);
        var spend = await new GeminiSpendLedger(new Gme.Core.Storage.DataPaths(dir.Path)).ReadAllAsync(ct);
        Assert.Equal(3, spend.Count(s => s.Mode == "batch"));
    }

    [Fact]
    public async Task Start_OutputSizeChangedOnExistingDataDir_RefusedNamingSettingAndCollection()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey);
        using var dir = new TempDirectory();
        await RunAsync(dir.Path, server, ct: ct);
        var creates = server.CreateCalls;

        using var host = BuildHost(dir.Path, server, new Dictionary<string, string?> { ["Gme:Gemini:OutputDimensionality"] = "1536" });
        var ex = await Assert.ThrowsAsync<BadInputException>(() =>
            host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(new SourceSpec { Kind = "sample", SampleProducts = Products }, "sample", ct));

        Assert.Equal("Gme:Gemini:OutputDimensionality", ex.Input);
        Assert.Contains("gemini/gemini-embedding-2@768", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gemini/gemini-embedding-2@1536", ex.Message, StringComparison.Ordinal);
        Assert.Contains("collection '", ex.Message, StringComparison.Ordinal);
        Assert.Contains("run `gme reindex`", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(creates, server.CreateCalls);
    }

    [Fact]
    public async Task Run_TwentyPercentRateLimitsAndOutagesFivePercentBadLines_EveryProductOnceAndNothingLeft()
    {
        var ct = TestContext.Current.CancellationToken;
        var faults = new FakeGeminiFaults { CallFaultRate = 0.20, LineErrorRate = 0.05 };
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey, faults);
        using var dir = new TempDirectory();

        var result = await RunAsync(dir.Path, server, ct: ct);
        Report("20% 429/500/503, 5% bad lines", result, server);

        Assert.Equal(0, server.MissingDownloads);
        Assert.Equal(0, server.CreatesBeforeRetryAfter);
    }

    [Fact]
    public async Task Run_ShardStuckRunningPastLimit_ReportedWithAgePolledSlowlyThenFinishes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey);
        var stuck = true;
        string? stuckShard = null;
        server.Stuck = name => stuck && (stuckShard ??= GeminiRemoteName.ShardIdOf(name)) == GeminiRemoteName.ShardIdOf(name);
        using var dir = new TempDirectory();
        var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string?>
        {
            ["Gme:Embedder:StuckJobAfter"] = "00:00:02",
            ["Gme:Embedder:MaxPollInterval"] = "00:00:02",
        };

        var result = await RunAsync(dir.Path, server, settings, logs: logs, configure: async host =>
        {
            var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
            var reported = await Eventually.ValueAsync(async () =>
            {
                await using var db = dbFactory.CreateDbContext();
                return await db.Shards.AsNoTracking().Where(s => s.Error != null && s.State == ShardState.Submitted).Select(s => s.Error).FirstOrDefaultAsync(ct);
            }, e => e is not null, "a stuck shard reported in the ledger", ct);
            Assert.Matches(@"still running after \d+\.\d h", reported);
            var status = await new LedgerStatus(dbFactory).ReadAsync(null, ct);
            var shown = Assert.Single(status.StuckShards);
            Assert.Matches(@"still running after \d+\.\d h", shown.Error);
            Assert.NotNull(shown.SubmittedAt);
            Assert.Contains(logs.Lines, l => l.Contains("polling it slowly", StringComparison.Ordinal));
            var polls = server.PollsOf(n => GeminiRemoteName.ShardIdOf(n) == stuckShard);
            await Eventually.TrueAsync(() => server.PollsOf(n => GeminiRemoteName.ShardIdOf(n) == stuckShard) > polls, "the stuck job is still polled", ct);
            stuck = false;
        }, ct: ct);
        Report("one shard stuck RUNNING past its limit", result, server);
    }

    [Fact]
    public async Task Collect_ResultsExpiredBeforeRead_ResubmittedAsSecondAttemptNeverSynchronously()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey);
        server.ResultsExpired = name => !SecondAttempt().IsMatch(name);
        using var dir = new TempDirectory();

        var result = await RunAsync(dir.Path, server, ct: ct);
        Report("results expired before the read", result, server);

        Assert.Equal(6, server.CreateCalls); // one lost batch and one new batch per shard
        Assert.Equal(3, server.Batches.Count(b => SecondAttempt().IsMatch(b.DisplayName)));
        Assert.Equal(0, server.SyncLineItems); // lost work is batched again, never sent to the synchronous endpoint
        await using var db = EmbeddedLedger(dir.Path);
        Assert.All(await db.Shards.AsNoTracking().ToListAsync(ct), s => Assert.Equal(1, s.Resubmits));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"-a2$")]
    private static partial System.Text.RegularExpressions.Regex SecondAttempt();

    private static SqliteLedgerDbContext EmbeddedLedger(string data) =>
        new(new DbContextOptionsBuilder<SqliteLedgerDbContext>().UseSqlite($"Data Source={new Gme.Core.Storage.DataPaths(data).LedgerFile}").Options);

    private sealed record RunResult(int Shards, int Products, int Requests);

    /// <summary>
    /// Runs the sample catalogue through the embedded pipeline until every product is indexed (or failed with a reason),
    /// then checks each product is in exactly one vector file row and that no remote file is left.
    /// </summary>
    private static async Task<RunResult> RunAsync(string data, FakeGeminiServer server, Dictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, Func<IHost, Task>? configure = null, CapturingLoggerProvider? logs = null,
        CancellationToken ct = default)
    {
        var requestsBefore = server.Requests;
        using var host = BuildHost(data, server, settings, services, logs);
        await host.StartAsync(ct);
        try
        {
            var configured = configure is null ? Task.CompletedTask : configure(host);
            var spec = new SourceSpec { Kind = "sample", SampleProducts = Products };
            var (runId, _) = await host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(spec, "sample", ct);
            await host.Services.GetRequiredService<IBus>().Publish(new RunStarted { RunId = runId }, ct);
            await configured;

            var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            List<ProductEntity> products;
            while (true)
            {
                await Task.Delay(250, ct); // polling the ledger for the end condition, not sleeping in place of it
                await using var db = dbFactory.CreateDbContext();
                products = await db.Products.AsNoTracking().ToListAsync(ct);
                var done = products.Count == Products && products.All(p => p.Stage == ProductStage.Indexed || p.Failed);
                if (done && server.AllFiles.Count == 0 || DateTime.UtcNow > deadline)
                {
                    break;
                }
            }

            Assert.Equal(Products, products.Count);
            Assert.All(products, p => Assert.True(p.Stage == ProductStage.Indexed || (p.Failed && !string.IsNullOrWhiteSpace(p.LastError)),
                $"product {p.Id} is at {p.Stage} (failed={p.Failed}, error={p.LastError})"));
            Assert.Empty(server.AllFiles); // no uploaded input, no results file left on the account

            // And the ledger agrees: every file it recorded is marked deleted (the last mark follows the last delete).
            var ledgerFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
            await Eventually.TrueAsync(async () =>
            {
                await using var db = ledgerFactory.CreateDbContext();
                return !await db.RemoteFiles.AnyAsync(f => f.DeletedAt == null, ct);
            }, "every recorded remote file marked deleted", ct);
            await using (var db = ledgerFactory.CreateDbContext())
            {
                Assert.True(await db.RemoteFiles.CountAsync(f => f.Kind == RemoteFileKind.Input, ct) >= 3);
            }

            await using (var db = dbFactory.CreateDbContext())
            {
                // Indexed exactly once: one vector row per embedded product, no product in two files.
                var rows = await db.VectorFiles.AsNoTracking().SumAsync(f => f.Rows, ct);
                Assert.Equal(products.Count(p => !p.Failed), rows);
                var shards = await db.Shards.AsNoTracking().ToListAsync(ct);
                foreach (var shard in shards)
                {
                    Assert.True(server.Batches.Any(b => GeminiTestContext.IsShard(b.DisplayName, shard.Id)
                        && b.State != "FAILED" && b.State != "EXPIRED"), $"shard {shard.Id} has no batch");
                }

                return new RunResult(shards.Count, products.Count, server.Requests - requestsBefore);
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static void Report(string scenario, RunResult result, FakeGeminiServer server, int? requestsBefore = null) =>
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{scenario}: {result.Shards} shards, {server.Batches.Count} batches on the account in all, files left {server.AllFiles.Count}, " +
            $"{result.Requests} requests = {result.Requests / (double)Math.Max(1, result.Shards):F1} per shard, products re-embedded synchronously {server.SyncLineItems}");

    private static IHost BuildHost(string data, FakeGeminiServer server, Dictionary<string, string?>? extra = null,
        Action<IServiceCollection>? services = null, CapturingLoggerProvider? logs = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gme:Provider"] = "gemini",
            ["Gme:Gemini:ApiKey"] = GeminiTestContext.CanaryKey,
            ["Gme:Gemini:BaseUrl"] = server.BaseAddress.ToString(),
            ["Gme:Gemini:OutputDimensionality"] = "768",
            ["Gme:Gemini:MaxLinesPerShard"] = "100",
            ["Gme:Gemini:InitialBackoff"] = "00:00:00.010",
            ["Gme:Gemini:MaxBackoff"] = "00:00:00.100",
            ["Gme:Gemini:SafeRetryBaseDelay"] = "00:00:00.005",
            ["Gme:Gemini:MaxSafeAttempts"] = "10",
            ["Gme:Gemini:MaxRequestsPerSecond"] = "500",
            ["Gme:Embedder:PollInterval"] = "00:00:01",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return EmbeddedPipelineHost.Build(data, settings,
            logs is null ? null : logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information), services);
    }

    /// <summary>Fails the first commit that marks each shard collected, after its results were read (a lost ledger connection).</summary>
    private sealed class FailFirstCollectCommit : SaveChangesInterceptor
    {
        public ConcurrentDictionary<string, bool> Failed { get; } = new(StringComparer.Ordinal);

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            var collected = eventData.Context?.ChangeTracker.Entries<ShardEntity>()
                .FirstOrDefault(e => e.State == EntityState.Modified && e.Entity.State == ShardState.Collected);
            if (collected is not null && Failed.TryAdd(collected.Entity.Id, true))
            {
                throw new DbUpdateException("simulated: the ledger connection dropped during the collect commit");
            }

            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}
