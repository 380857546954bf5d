using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Core.Vectors;
using Gme.Pipeline.Search;
using Gme.Testing;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Sync;

/// <summary>
/// Issue 13 item 2, named catalogues in one data dir: the ledger keys products by collection and id, so the same
/// export run into two collections is two catalogues (each embedded, indexed and synced on its own); a snapshot only
/// removes products of its own collection, even when the other catalogue holds the same ids; validation counts its
/// own collection; search answers from the collection it names and never returns another's products.
/// </summary>
public sealed class NamedCollectionTests
{
    [Fact]
    public async Task TwoCatalogues_OneDataDir_SameIdsAreTwoProducts_SyncAndSearchStayApart()
    {
        SyncSnapshots.RequireSample();
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var data = dir.File("data");
        var snapshots = SyncSnapshots.Create(dir.File("catalogue"), 40);
        FileSpec Spec(string csv) => new(csv, snapshots.ImagesRoot);

        var hm = await RunInCollectionAsync(data, "hm", Spec(snapshots.First).Source, ct);
        Assert.True(hm.Passed, $"hm: {hm.Error}");
        Assert.Equal(new CatalogueSync(40, 0, 0, 0), hm.Sync);

        // The same export into another collection: 40 products of its own, not a takeover of the first catalogue's.
        var copy = await RunInCollectionAsync(data, "hm-copy", Spec(snapshots.First).Source, ct);
        Assert.True(copy.Passed, $"hm-copy: {copy.Error}");
        Assert.Equal(new CatalogueSync(40, 0, 0, 0), copy.Sync);

        var sample = await RunInCollectionAsync(data, "sample", new SourceSpec { Kind = "sample", SampleProducts = 20 }, ct, async services =>
        {
            var store = services.GetRequiredService<IVectorStore>();
            Assert.Equal(40, await store.CountAsync("hm", null, ct));
            Assert.Equal(40, await store.CountAsync("hm-copy", null, ct));
            Assert.Equal(20, await store.CountAsync("sample", null, ct));

            // Each search answers from the collection it names: the sample's products are "S…", H&M's are digits.
            var search = services.GetRequiredService<ProductSearch>();
            var inSample = await search.SearchAsync(new SearchRequest { Text = "black umbrella", Top = 20 }, ct);
            Assert.NotEmpty(inSample);
            Assert.All(inSample, h => Assert.StartsWith("S", h.ProductId, StringComparison.Ordinal));
            var inHm = await search.SearchAsync(new SearchRequest { Text = "black umbrella", Top = 20, Collection = "hm" }, ct);
            Assert.NotEmpty(inHm);
            Assert.All(inHm, h => Assert.True(snapshots.Names.ContainsKey(h.ProductId), $"'{h.ProductId}' is not an H&M product of this catalogue"));
        });
        Assert.True(sample.Passed, $"sample: {sample.Error}");
        Assert.Equal(new CatalogueSync(20, 0, 0, 0), sample.Sync);

        // Syncing "hm" removes 2 of its products; "hm-copy" holds the same ids and keeps every one of them.
        snapshots.RewritePhotos();
        var sync = await RunInCollectionAsync(data, "hm", Spec(snapshots.Second).Source, ct, async services =>
        {
            var store = services.GetRequiredService<IVectorStore>();
            var removedPoints = snapshots.Removed.Select(PointIds.FromProductId).ToList();
            Assert.Empty(await store.RetrieveAsync("hm", removedPoints, false, ct));
            Assert.Equal(snapshots.Removed.Count, (await store.RetrieveAsync("hm-copy", removedPoints, false, ct)).Count);
            Assert.Equal(40, await store.CountAsync("hm", null, ct));
            Assert.Equal(40, await store.CountAsync("hm-copy", null, ct));

            await using var db = await services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContextAsync(ct);
            var live = await db.Products.Where(p => p.RemovedInRunId == null).GroupBy(p => p.Collection)
                .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
            Assert.Equal(new Dictionary<string, int> { ["hm"] = 40, ["hm-copy"] = 40, ["sample"] = 20 }, live);
            var removed = await db.Products.Where(p => p.RemovedInRunId != null).Select(p => new { p.Collection, p.Id }).ToListAsync(ct);
            Assert.All(removed, r => Assert.Equal("hm", r.Collection));
            Assert.Equal(snapshots.Removed.Order(StringComparer.Ordinal), removed.Select(r => r.Id).Order(StringComparer.Ordinal));
            Assert.All(await db.Products.Where(p => p.Collection == "hm-copy").ToListAsync(ct),
                p => Assert.Equal((ProductChange.Added, ProductStage.Indexed), (p.LastChange, p.Stage)));

            var status = await services.GetRequiredService<LedgerStatus>().ReadCollectionAsync("hm-copy", ct);
            Assert.Equal((40, 40, 0), (status.Products, status.Indexed, status.Removed));
        });
        Assert.True(sync.Passed, $"hm sync: {sync.Error}");
        Assert.Equal(new CatalogueSync(Added: 2, Changed: 4, Unchanged: 34, Removed: 2), sync.Sync);
    }

    private sealed record FileSpec(string Csv, string ImagesRoot)
    {
        public SourceSpec Source => new() { Kind = "file", Location = Csv, ImagesRoot = ImagesRoot };
    }

    private sealed record Outcome(RunStatus Status, bool Passed, string? Error, CatalogueSync? Sync);

    private static async Task<Outcome> RunInCollectionAsync(string data, string collection, SourceSpec spec, CancellationToken ct,
        Func<IServiceProvider, Task>? then = null)
    {
        using var host = EmbeddedPipelineHost.Build(data, new Dictionary<string, string?> { ["Gme:Provider"] = "local", ["Gme:Collection"] = collection });
        await host.StartAsync(ct);
        try
        {
            var (runId, _) = await host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(spec, collection, ct);
            await host.Services.GetRequiredService<IBus>().Publish(new RunStarted { RunId = runId }, ct);
            var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
            RunEntity? run = null;
            await Eventually.TrueAsync(async () =>
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                run = await db.Runs.AsNoTracking().FirstAsync(r => r.Id == runId, ct);
                return run.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Paused;
            }, $"the run into '{collection}' to stop", TimeSpan.FromMinutes(8), ct);
            Assert.Equal(collection, run!.Collection);
            var counts = await host.Services.GetRequiredService<LedgerStatus>().ReadRunAsync(runId, ct);
            if (then is not null)
            {
                await then(host.Services);
            }

            return new Outcome(run.Status, run.Status == RunStatus.Completed && run.ValidationPassed == true, run.Error, counts.Sync);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
