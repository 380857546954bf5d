using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Core.VectorFiles;
using Gme.Core.Vectors;
using Gme.Onnx;
using Gme.Pipeline.Search;
using Gme.Testing;
using Gme.Tests.Gemini;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gme.Tests.Sync;

/// <summary>
/// Issue 13, catalogue sync: a second snapshot of the same catalogue into the same data dir adds, re-embeds what
/// changed, leaves the rest alone (no provider request, bit-identical vectors) and removes what it no longer holds
/// from the live set, the index and the vector files; a truncated snapshot is refused without --allow-removals.
/// Runs the embedded composition in process on a 100-product cut of the H&amp;M sample with the local model (the
/// whole 1,000 twice would add minutes to CI on 2 cores; 100 keeps the percentages as exact counts: 10 changed,
/// 5 removed, 5 added), and a 100-product cut against the fake Gemini server. The changed products include photos
/// rewritten in place (other bytes at the same path), which must be re-embedded like any other change.
/// </summary>
public sealed class CatalogueSyncTests
{
    private static readonly TimeSpan s_runLimit = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task SecondSnapshot_LocalModel_AddsChangesKeepsAndRemovesExactly()
    {
        SyncSnapshots.RequireSample();
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var snapshots = SyncSnapshots.Create(dir.File("catalogue"), 100);
        CountingEmbeddingProvider? counter = null;
        using var host = EmbeddedPipelineHost.Build(dir.File("data"), new Dictionary<string, string?> { ["Gme:Provider"] = "local" },
            services: s => s.AddSingleton<IEmbeddingProvider>(sp => counter = new CountingEmbeddingProvider(sp.GetRequiredService<LocalOnnxProvider>())));
        await host.StartAsync(ct);
        try
        {
            var first = await RunAsync(host, snapshots.First, allowRemovals: false, ct);
            Assert.True(first.Passed, $"first snapshot: {first.Status} {first.Error}");
            Assert.Equal(new CatalogueSync(100, 0, 0, 0), first.Sync);
            var store = host.Services.GetRequiredService<IVectorStore>();
            var before = await StoredVectorsAsync(store, snapshots.Unchanged, ct);
            var filesBefore = await CurrentFileVectorsAsync(host, snapshots.Unchanged, ct);
            var requestsBefore = counter!.Keys.Count;
            Assert.Equal(100, requestsBefore);
            snapshots.RewritePhotos();

            var second = await RunAsync(host, snapshots.Second, allowRemovals: false, ct);
            Assert.True(second.Passed, $"second snapshot: {second.Status} {second.Error}");
            Assert.Equal(new CatalogueSync(Added: 5, Changed: 10, Unchanged: 85, Removed: 5), second.Sync);

            // Provider requests: exactly the added and changed products, once each; none for the 85 unchanged.
            var requested = counter.Keys.Skip(requestsBefore).ToList();
            Assert.Equal(15, requested.Count);
            Assert.Equal(snapshots.Added.Concat(snapshots.Changed).Order(StringComparer.Ordinal), requested.Order(StringComparer.Ordinal));
            // Among them the photos rewritten in place: same path, other bytes.
            Assert.NotEmpty(snapshots.PhotoRewritten);
            Assert.All(snapshots.PhotoRewritten, id => Assert.Contains(id, requested));
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"local model, 100 products: snapshot 1 sent {requestsBefore} products to the provider, snapshot 2 sent {requested.Count} "
                + $"(added {second.Sync!.Added}, changed {second.Sync.Changed}, unchanged {second.Sync.Unchanged}, removed {second.Sync.Removed})");

            // Unchanged products keep bit-identical vectors, in the index and in the current vector files.
            AssertBitIdentical(before, await StoredVectorsAsync(store, snapshots.Unchanged, ct), "index");
            AssertBitIdentical(filesBefore, await CurrentFileVectorsAsync(host, snapshots.Unchanged, ct), "vector files");

            // Removed products are gone from the index, the vector files and search.
            Assert.Equal(100, await store.CountAsync("products", null, ct));
            Assert.Empty(await store.RetrieveAsync("products", snapshots.Removed.Select(PointIds.FromProductId).ToList(), false, ct));
            Assert.DoesNotContain(await AllVectorFileProductsAsync(host, ct), snapshots.Removed.Contains);
            var search = host.Services.GetRequiredService<ProductSearch>();
            foreach (var name in await NamesAsync(host, snapshots.Removed, ct))
            {
                var hits = await search.SearchAsync(new SearchRequest { Text = name, Top = 20 }, ct);
                Assert.NotEmpty(hits);
                Assert.DoesNotContain(hits, h => snapshots.Removed.Contains(h.ProductId));
            }

            // A truncated export (half the rows) would remove 50 %: refused as bad input, nothing removed.
            var truncated = await RunAsync(host, snapshots.Truncated, allowRemovals: false, ct);
            Assert.Equal(RunStatus.Failed, truncated.Status);
            Assert.Equal(RunFailureKind.BadInput, truncated.FailureKind);
            Assert.Contains("--allow-removals", truncated.Error);
            Assert.Equal(0, truncated.Sync?.Removed ?? 0);
            Assert.Equal(100, await store.CountAsync("products", null, ct));
            Assert.Equal(5, (await host.Services.GetRequiredService<LedgerStatus>().ReadAsync(null, ct)).Removed);

            // The same export with --allow-removals is a real snapshot: the other half goes, without a provider request.
            var requestsBeforeAllowed = counter.Keys.Count;
            var allowed = await RunAsync(host, snapshots.Truncated, allowRemovals: true, ct);
            Assert.True(allowed.Passed, $"allowed removals: {allowed.Status} {allowed.Error}");
            Assert.Equal(new CatalogueSync(0, 0, 50, 50), allowed.Sync);
            Assert.Equal(50, await store.CountAsync("products", null, ct));
            Assert.Equal(requestsBeforeAllowed, counter.Keys.Count);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task SecondSnapshot_GeminiFake_SendsNoRequestForUnchangedProducts()
    {
        SyncSnapshots.RequireSample();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeGeminiServer.StartAsync(GeminiTestContext.CanaryKey);
        using var dir = new TempDirectory();
        var snapshots = SyncSnapshots.Create(dir.File("catalogue"), 100);
        using var host = EmbeddedPipelineHost.Build(dir.File("data"), new Dictionary<string, string?>
        {
            ["Gme:Provider"] = "gemini",
            ["Gme:Gemini:ApiKey"] = GeminiTestContext.CanaryKey,
            ["Gme:Gemini:BaseUrl"] = server.BaseAddress.ToString(),
            ["Gme:Gemini:OutputDimensionality"] = "768",
            ["Gme:Gemini:InitialBackoff"] = "00:00:00.010",
            ["Gme:Gemini:MaxBackoff"] = "00:00:00.100",
            ["Gme:Gemini:MaxRequestsPerSecond"] = "500",
            ["Gme:Embedder:PollInterval"] = "00:00:01",
        });
        await host.StartAsync(ct);
        try
        {
            var first = await RunAsync(host, snapshots.First, allowRemovals: false, ct);
            Assert.True(first.Passed, $"first snapshot: {first.Status} {first.Error}");
            var keysBefore = server.BatchKeys.Count;
            // Products go in batches (the synchronous fallback is off by default; synchronous calls embed the validation's queries).
            Assert.Equal(100, keysBefore);
            snapshots.RewritePhotos();

            var second = await RunAsync(host, snapshots.Second, allowRemovals: false, ct);
            Assert.True(second.Passed, $"second snapshot: {second.Status} {second.Error}");
            Assert.Equal(new CatalogueSync(Added: 5, Changed: 10, Unchanged: 85, Removed: 5), second.Sync);
            var sent = server.BatchKeys.Skip(keysBefore).ToList();
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"gemini fake, 100 products: snapshot 1 put {keysBefore} products in batches, snapshot 2 put {sent.Count}");
            Assert.DoesNotContain(sent, snapshots.Unchanged.Contains);
            Assert.Equal(snapshots.Added.Concat(snapshots.Changed).Order(StringComparer.Ordinal), sent.Order(StringComparer.Ordinal));
            Assert.Equal(100, await host.Services.GetRequiredService<IVectorStore>().CountAsync("products", null, ct));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private sealed record Outcome(Guid RunId, RunStatus Status, bool Passed, string? Error, CatalogueSync? Sync, RunFailureKind? FailureKind);

    /// <summary>`gme run --source FILE` in the test's host: starts (or resumes) the run and waits for it to stop.</summary>
    private static async Task<Outcome> RunAsync(IHost host, string csv, bool allowRemovals, CancellationToken ct)
    {
        var spec = new SourceSpec { Kind = "file", Location = csv, ImagesRoot = Path.GetDirectoryName(csv), AllowRemovals = allowRemovals };
        var (runId, _) = await host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(spec, csv, ct);
        await host.Services.GetRequiredService<IBus>().Publish(new RunStarted { RunId = runId }, ct);
        var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
        RunEntity? run = null;
        await Eventually.TrueAsync(async () =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            run = await db.Runs.AsNoTracking().FirstAsync(r => r.Id == runId, ct);
            return run.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Paused;
        }, $"the run on {Path.GetFileName(csv)} to stop", s_runLimit, ct);
        var counts = await host.Services.GetRequiredService<LedgerStatus>().ReadRunAsync(runId, ct);
        return new Outcome(runId, run!.Status, run.Status == RunStatus.Completed && run.ValidationPassed == true, run.Error, counts.Sync, run.FailureKind);
    }

    private static async Task<Dictionary<string, IReadOnlyDictionary<string, float[]>>> StoredVectorsAsync(
        IVectorStore store, IReadOnlySet<string> ids, CancellationToken ct)
    {
        var byPoint = ids.ToDictionary(PointIds.FromProductId, id => id);
        var points = await store.RetrieveAsync("products", byPoint.Keys.ToList(), withVectors: true, ct);
        Assert.Equal(ids.Count, points.Count);
        return points.ToDictionary(p => byPoint[p.Id], p => p.Vectors, StringComparer.Ordinal);
    }

    /// <summary>Each product's row in the vector file the ledger names as its current one.</summary>
    private static async Task<Dictionary<string, IReadOnlyDictionary<string, float[]>>> CurrentFileVectorsAsync(
        IHost host, IReadOnlySet<string> ids, CancellationToken ct)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContextAsync(ct);
        var current = await db.Products.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.VectorFileId!, ct);
        var found = new Dictionary<string, IReadOnlyDictionary<string, float[]>>(StringComparer.Ordinal);
        foreach (var file in await db.VectorFiles.AsNoTracking().ToListAsync(ct))
        {
            await foreach (var row in VectorFileReader.ReadRowsAsync(file.Path, ct))
            {
                if (current.GetValueOrDefault(row.ProductId) == file.Id)
                {
                    found[row.ProductId] = row.Vectors;
                }
            }
        }

        Assert.Equal(ids.Count, found.Count);
        return found;
    }

    private static async Task<HashSet<string>> AllVectorFileProductsAsync(IHost host, CancellationToken ct)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContextAsync(ct);
        var products = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in await db.VectorFiles.AsNoTracking().ToListAsync(ct))
        {
            await foreach (var row in VectorFileReader.ReadRowsAsync(file.Path, ct))
            {
                products.Add(row.ProductId);
            }
        }

        return products;
    }

    private static async Task<List<string>> NamesAsync(IHost host, IReadOnlySet<string> ids, CancellationToken ct)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContextAsync(ct);
        return await db.Products.AsNoTracking().Where(p => ids.Contains(p.Id)).Select(p => p.Name).ToListAsync(ct);
    }

    private static void AssertBitIdentical(Dictionary<string, IReadOnlyDictionary<string, float[]>> before,
        Dictionary<string, IReadOnlyDictionary<string, float[]>> after, string where)
    {
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, vectors) in before)
        {
            foreach (var (name, vector) in vectors)
            {
                var now = after[id][name];
                Assert.True(vector.Length == now.Length
                    && vector.Zip(now).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second)),
                    $"{where}: vector '{name}' of unchanged product {id} changed");
            }
        }
    }
}
