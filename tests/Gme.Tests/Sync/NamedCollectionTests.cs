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
/// Issue 13 item 2, named catalogues in one data dir: each run writes its collection (Gme:Collection, `--collection`
/// on the CLI), a snapshot only removes products of its own collection, validation counts its own collection, search
/// answers from the one it is set to, and a product id live in one catalogue is refused by another (with the reason)
/// rather than taken over.
/// </summary>
public sealed class NamedCollectionTests
{
    [Fact]
    public async Task TwoCatalogues_OneDataDir_StayApart()
    {
        SyncSnapshots.RequireSample();
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var data = dir.File("data");
        var snapshots = SyncSnapshots.Create(dir.File("catalogue"), 40);
        var hmSpec = new SourceSpec { Kind = "file", Location = snapshots.First, ImagesRoot = SyncSnapshots.SampleFolder };

        var hm = await RunInCollectionAsync(data, "hm", hmSpec, ct);
        Assert.True(hm.Passed, $"hm: {hm.Error}");

        var sample = await RunInCollectionAsync(data, "sample", new SourceSpec { Kind = "sample", SampleProducts = 20 }, ct, async services =>
        {
            var store = services.GetRequiredService<IVectorStore>();
            Assert.Equal(40, await store.CountAsync("hm", null, ct));
            Assert.Equal(20, await store.CountAsync("sample", null, ct));
            var hits = await services.GetRequiredService<ProductSearch>().SearchAsync(new SearchRequest { Text = "black umbrella", Top = 10 }, ct);
            Assert.NotEmpty(hits);
            Assert.All(hits, h => Assert.StartsWith("S", h.ProductId, StringComparison.Ordinal));
        });
        Assert.True(sample.Passed, $"sample: {sample.Error}");
        Assert.Equal(new CatalogueSync(20, 0, 0, 0), sample.Sync);

        // The H&M ids are the "hm" catalogue's: another collection may not take them over.
        var other = await RunInCollectionAsync(data, "hm-copy", hmSpec, ct, async services =>
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContextAsync(ct);
            Assert.Equal(40, await db.Products.CountAsync(p => p.RemovedInRunId == null && db.Runs.Any(r => r.Id == p.LastRunId && r.Collection == "hm"), ct));
            Assert.Equal(40, await services.GetRequiredService<IVectorStore>().CountAsync("hm", null, ct));
        });
        Assert.Equal(RunStatus.Failed, other.Status);
        Assert.Contains("collection 'hm'", other.Error);
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
