using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.AppHost.Tests;

/// <summary>
/// One 500-product sample run across the separate processes, with the faults the distributed profile must survive
/// injected while it runs: RabbitMQ restarted; every Embedder instance SIGKILLed, which the runs API must report as
/// Stalled naming the Embedder, until the AppHost starts them again and the run goes on; the Indexer SIGKILLed and
/// started again. One app start serves all of it, because each start costs half a minute on two cores; the completed
/// run is then read with `gme status --url` and `gme search --url` against the app's endpoints.
/// </summary>
public sealed class DistributedRunTests(LocalServicesApp fixture) : IClassFixture<LocalServicesApp>
{
    private const int Products = 500;
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_stallSeenWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task SampleRun_BrokerRestartedEmbeddersAndIndexerKilledMidRun_StallsNamingTheEmbedderThenCompletesWithNothingLostOrDuplicated()
    {
        if (fixture.MissingReason is { } reason)
        {
            Assert.Skip(reason);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(s_runTimeout);
        var ct = timeout.Token;
        await fixture.WaitForHealthyInstancesAsync(LocalServicesApp.Embedder, 2, ct);
        using var http = fixture.App.CreateHttpClient(LocalServicesApp.Ingest);

        var clock = Stopwatch.StartNew();
        using var started = await http.PostAsJsonAsync("/runs", new { sampleProducts = Products }, ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("runId").GetGuid();

        // Fault 1: restart the broker while shards are being embedded (messages in queues and in flight).
        var progress = await WaitForAsync(http, runId, p => p.Sharded > 0 || p.Finished, ct);
        Assert.False(progress.Finished, $"the run finished ({progress.Status}: {progress.Error}) before the broker restart could be injected");
        await fixture.ExecuteAsync(LocalServicesApp.Bus, "resource-restart", ct);
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(LocalServicesApp.Bus, ct);

        // Fault 2: SIGKILL every Embedder instance while shards are being embedded. The runs API must say Stalled,
        // naming the Embedder, within a minute; the AppHost starts them again (after LocalServicesApp.RestartDelay,
        // so that the stall is seen first) and the run leaves Stalled.
        progress = await WaitForAsync(http, runId, p => p.Embedded > 0 || p.Finished, ct);
        Assert.False(progress.Finished, $"the run finished ({progress.Status}: {progress.Error}) before the Embedders could be killed");
        Assert.True(progress.Embedded < Products, "every product was embedded before the Embedders could be killed");
        await fixture.KillAsync(LocalServicesApp.Embedder, 2, ct);
        var killed = Stopwatch.StartNew();
        var stalled = await WaitForAsync(http, runId, p => p.Status == "Stalled" || p.Finished, ct);
        var stallSeenAfter = killed.Elapsed;
        Assert.Equal("Stalled", stalled.Status);
        Assert.Equal(LocalServicesApp.Embedder, stalled.StalledService);
        Assert.Contains(LocalServicesApp.Embedder, stalled.Error, StringComparison.Ordinal);
        Assert.True(stallSeenAfter < s_stallSeenWithin, $"the stall was reported {stallSeenAfter.TotalSeconds:F0} s after the kill");
        await fixture.WaitForHealthyInstancesAsync(LocalServicesApp.Embedder, 2, ct);
        var resumed = await WaitForAsync(http, runId, p => p.Status != "Stalled", ct);
        Assert.Null(resumed.StalledService);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Embedders killed: Stalled naming {stalled.StalledService} after {stallSeenAfter.TotalSeconds:F1} s ({stalled.Error}); "
            + $"restarted by the AppHost and resumed after {killed.Elapsed.TotalSeconds:F1} s");

        // Fault 3: SIGKILL the Indexer while it upserts, then start it again.
        progress = await WaitForAsync(http, runId, p => p.Indexed > 0 || p.Finished, ct);
        Assert.False(progress.Finished, $"the run finished ({progress.Status}: {progress.Error}) before the Indexer could be killed");
        Assert.True(progress.Indexed < Products, "every product was indexed before the Indexer could be killed");
        await fixture.KillAsync(LocalServicesApp.Indexer, 1, ct);
        await fixture.ExecuteAsync(LocalServicesApp.Indexer, "resource-start", ct);

        var final = await WaitForAsync(http, runId, p => p.Finished, ct);
        clock.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"500-product distributed run with faults: {clock.Elapsed.TotalSeconds:F1} s");

        // The embedded profile's final state for the same sample: every product indexed, none failed, validated.
        Assert.Equal("Completed", final.Status);
        Assert.True(final.ValidationPassed, final.Error);
        Assert.Equal((Products, Products, Products, 0), (final.Ingested, final.Embedded, final.Indexed, final.Failed));

        // 0 products lost, 0 duplicate points: the validator counted the store's points and the Parquet rows.
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(final.ReportPath!, ct));
        var counts = report.RootElement.GetProperty("counts");
        Assert.Equal(Products, counts.GetProperty("storePoints").GetInt32());
        Assert.Equal(Products, counts.GetProperty("parquetRows").GetInt32());
        Assert.Equal(Products, counts.GetProperty("indexedProducts").GetInt32());

        // `gme status --url` and `gme search --url`, the real CLI in a child process, read this run from the endpoints
        // the AppHost allocated, as a user on another machine would.
        await GmeCliReadsTheRunAsync(runId, ct);

        // 0 messages lost: every message a stage committed reached every consumer subscribed to it, through the broker
        // restart and the kill (the ledger's outbox rows against the consumers' inbox rows).
        var messages = await MessageLedger.WaitUntilSettledAsync(fixture.App, LocalServicesApp.Ingest, ct);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{messages.OutboxMessages} stage messages, {messages.SentLate} sent late by a sweeper; processed per consumer: "
            + string.Join(", ", messages.ProcessedByConsumer.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}")));
        foreach (var consumer in new[] { "ingest-dataset", "download-images", "build-shards", "submit-shard", "collect-shard", "upsert-vectors", "validate-run", "run-state" })
        {
            Assert.True(messages.ProcessedByConsumer.GetValueOrDefault(consumer) > 0, $"{consumer} processed nothing");
        }

        // Two Embedder instances shared the work. A shard an instance embedded but was killed before it committed
        // is embedded again after the restart (its log line counted twice); the store's points above are what
        // shows that nothing ended up duplicated.
        var byInstance = fixture.EmbeddedByInstance;
        Assert.Equal(2, byInstance.Count(kv => kv.Value > 0));
        Assert.True(byInstance.Values.Sum() >= Products, $"the Embedders reported {byInstance.Values.Sum()} items embedded, fewer than {Products}");
        foreach (var note in fixture.StartupNotes)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(note);
        }
    }

    [Fact]
    public void The_app_asks_for_no_developer_certificate_so_none_is_missing()
    {
        if (fixture.MissingReason is { } reason)
        {
            Assert.Skip(reason);
        }

        // Aspire looks for a trusted developer certificate when any resource has an https endpoint or an HTTPS
        // certificate set-up left on, and without one (Linux, CI) logs a warning and shows a red banner on the
        // dashboard. Nothing here uses TLS: the warning must not be logged (on a machine without a certificate), and no
        // resource may ask for TLS (whatever certificates this machine has).
        Assert.DoesNotContain(fixture.AppHostLog, line => line.Contains("development certificate", StringComparison.OrdinalIgnoreCase));
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
#pragma warning disable ASPIRECERTIFICATES001 // evaluation API, read only to name the resource that asks
        var askingForTls = model.Resources
            .Where(r => r.Annotations.OfType<EndpointAnnotation>().Any(e => e.UriScheme == "https")
                || (r.Annotations.OfType<HttpsCertificateConfigurationCallbackAnnotation>().Any()
                    && !(r.TryGetLastAnnotation<HttpsCertificateAnnotation>(out var certificate)
                        && certificate.UseDeveloperCertificate is false or null && certificate.Certificate is null)))
            .Select(r => r.Name);
#pragma warning restore ASPIRECERTIFICATES001
        Assert.Empty(askingForTls);
    }

    private async Task GmeCliReadsTheRunAsync(Guid runId, CancellationToken ct)
    {
        // The URLs the AppHost printed (a user without the dashboard has only these), which are the allocated endpoints.
        var ingest = PrintedUrl(LocalServicesApp.Ingest);
        Assert.Equal(fixture.App.GetEndpoint(LocalServicesApp.Ingest, "http"), new Uri(ingest));
        var status = await GmeCli.RunAsync(ct, "status", "--url", ingest);
        Assert.True(status.ExitCode == 0, $"gme status --url {ingest}: exit {status.ExitCode}: {status.Stderr}");
        Assert.Contains($"Run {runId} (Completed)", status.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^indexed\s+{Products}$", status.Stdout);
        Assert.Matches(@"(?m)^failed\s+0$", status.Stdout);

        // The hits are products of the sample catalogue the run indexed, named as it names them, a red dress first.
        var search = PrintedUrl(ResourceNames.Search);
        Assert.Equal(fixture.App.GetEndpoint(ResourceNames.Search, "http"), new Uri(search));
        var found = await GmeCli.RunAsync(ct, "search", "red dress", "--top", "5", "--json", "--url", search);
        Assert.True(found.ExitCode == 0, $"gme search --url {search}: exit {found.ExitCode}: {found.Stderr}");
        var catalogue = Gme.Sources.Sample.SampleCatalogue.Products(Products).ToDictionary(p => p.Id, StringComparer.Ordinal);
        using var hits = JsonDocument.Parse(found.Stdout);
        var products = hits.RootElement.EnumerateArray()
            .Select(hit => (Id: hit.GetProperty("productId").GetString()!, Name: hit.GetProperty("payload").GetProperty("name").GetString()))
            .ToList();
        Assert.Equal(5, products.Count);
        foreach (var (id, name) in products)
        {
            Assert.True(catalogue.TryGetValue(id, out var product), $"gme search --url found {id}, which is not in the {Products}-product sample");
            Assert.Equal(product.Name, name);
        }

        var first = catalogue[products[0].Id];
        Assert.Equal(("Red", "Dress"), (first.Colour.Name, first.Garment.Name));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"gme status --url {ingest}:{Environment.NewLine}{status.Stdout}gme search \"red dress\" --url {search}: {string.Join(", ", products.Select(p => $"{p.Id} {p.Name}"))}");
    }

    /// <summary>The URL in the AppHost's "Gme: {resource} at {url} (...)" line.</summary>
    private string PrintedUrl(string resource)
    {
        var prefix = $"Gme.AppHost: Gme: {resource} at ";
        var line = fixture.AppHostLog.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"the AppHost printed no URL for {resource}");
        return line[prefix.Length..line.IndexOf(' ', prefix.Length)];
    }

    private static async Task<RunProgress> WaitForAsync(HttpClient http, Guid runId, Func<RunProgress, bool> condition, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var progress = await http.GetFromJsonAsync<RunProgress>($"/runs/{runId}", ct);
                if (progress is not null && condition(progress))
                {
                    return progress;
                }
            }
            catch (HttpRequestException)
            {
                // The Ingest service answers 5xx while the broker or database restarts; keep asking.
            }

            await Task.Delay(s_poll, ct);
        }
    }

    private sealed record RunProgress(
        string Status, bool Finished, int Ingested, int Images, int Sharded, int Embedded, int Indexed, int Failed,
        bool? ValidationPassed, string? ReportPath, string? Error, string? StalledService);
}
