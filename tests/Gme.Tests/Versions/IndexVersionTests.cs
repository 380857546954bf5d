using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Core.Vectors;
using Gme.Onnx;
using Gme.Pipeline.Search;
using Gme.Pipeline.Versions;
using Gme.Tests.Ingest;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gme.Tests.Versions;

/// <summary>
/// Issue 13, index versions and the quality gate, on the embedded composition in process with the sample catalogue and
/// the local models: a changed text model builds a new version beside the live one while searches on the collection
/// keep answering, the gate runs and the alias switches (then rollback, switch and prune); a broken model (random
/// vectors) fails the gate and the live version, and what searches return, stay. The first version of each data dir is
/// built as a data dir before versions was (a physical collection named like the collection), so the move to versions
/// is covered too.
/// </summary>
public sealed class IndexVersionTests
{
    private const int Products = 80;
    private static readonly TimeSpan s_runLimit = TimeSpan.FromMinutes(8);
    private static readonly SourceSpec s_sample = new() { Kind = "sample", SampleProducts = Products };

    [Fact]
    public async Task TextModelChange_BuildsAVersionWhileSearchesAnswer_GateRuns_AliasSwitches()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var data = dir.File("data");
        using (var first = EmbeddedPipelineHost.Build(data, Settings(LocalTextModel.MiniLm)))
        {
            await first.StartAsync(ct);
            var v1 = await RunAsync(first, ct);
            Assert.True(v1.Passed, $"version 1: {v1.Error}");
            var listed = await first.Services.GetRequiredService<IndexVersions>().ListAsync("products", ct);
            var only = Assert.Single(listed);
            Assert.Equal(("products", CollectionVersionState.Live, (long?)Products), (only.Version.Physical, only.Version.State, only.Points));
            await first.StopAsync(CancellationToken.None);
        }

        using var host = EmbeddedPipelineHost.Build(data, Settings(LocalTextModel.ArcticXs));
        await host.StartAsync(ct);
        try
        {
            var store = host.Services.GetRequiredService<IVectorStore>();
            var search = host.Services.GetRequiredService<ProductSearch>();
            var (runId, _) = await host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(s_sample, "sample", ct);
            var building = await host.Services.GetRequiredService<IndexVersions>().BuiltByAsync(runId, ct);
            Assert.Equal(("products__v2", CollectionVersionState.Building), (building?.Physical, building?.State));

            // Searches on the collection name, continuously, for the whole rebuild: every one must return results.
            using var stop = new CancellationTokenSource();
            var answeredByOld = 0;
            var queries = 0;
            var loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var servedBy = await store.GetAliasTargetAsync("products", ct);
                    var hits = await search.SearchAsync(new SearchRequest { Text = "red dress", Top = 5 }, ct);
                    Assert.True(hits.Count > 0, $"query {queries} (alias -> {servedBy ?? "none"}) returned no results");
                    queries++;
                    if (servedBy != "products__v2")
                    {
                        answeredByOld++;
                    }

                    await Task.Delay(20, ct);
                }
            }, ct);

            var v2 = await FollowAsync(host, runId, ct);
            await stop.CancelAsync();
            await loop;
            Assert.True(v2.Passed, $"version 2: {v2.Error}");
            Assert.True(answeredByOld >= 5, $"only {answeredByOld} of {queries} queries ran while version 2 was being built");
            TestContext.Current.TestOutputHelper?.WriteLine($"{queries} queries during the rebuild, {answeredByOld} answered by version 1, all with results");

            // Version 1 moved to products__v1 and stepped down; version 2 is live behind the alias, gate passed.
            var versions = host.Services.GetRequiredService<IndexVersions>();
            Assert.Equal("products__v2", await store.GetAliasTargetAsync("products", ct));
            var listed = await versions.ListAsync("products", ct);
            Assert.Equal(
                [("products__v1", CollectionVersionState.Ready, (long?)Products), ("products__v2", CollectionVersionState.Live, (long?)Products)],
                listed.Select(l => (l.Version.Physical, l.Version.State, l.Points)).ToList());
            var live = listed[1].Version;
            Assert.Equal((true, LocalOnnxProvider.ArcticModel), (live.GatePassed, live.ModelId));
            Assert.NotNull(live.Ndcg10);
            TestContext.Current.TestOutputHelper?.WriteLine($"v1: {listed[0].Version.GateSummary}\nv2: {live.GateSummary}");
            Assert.NotEmpty(await search.SearchAsync(new SearchRequest { Text = "red dress", Top = 5 }, ct));

            // Version 2 was embedded again by the new text model: its text vectors differ from version 1's, while the
            // photo model (the same in both) gave the same image vectors.
            var ids = (await search.SearchAsync(new SearchRequest { Text = "dress", Top = 3, Mode = SearchMode.Lexical }, ct))
                .Select(h => PointIds.FromProductId(h.ProductId)).ToList();
            var old = (await store.RetrieveAsync("products__v1", ids, withVectors: true, ct)).ToDictionary(p => p.Id);
            foreach (var point in await store.RetrieveAsync("products__v2", ids, withVectors: true, ct))
            {
                Assert.True(Cosine(old[point.Id].Vectors["text"], point.Vectors["text"]) < 0.99, "text vectors of both models alike");
                Assert.True(Cosine(old[point.Id].Vectors["image"], point.Vectors["image"]) > 0.999, "image vectors of one model differ");
            }

            // Rollback, switch and prune.
            Assert.Equal(1, (await versions.RollbackAsync("products", ct)).Version);
            Assert.Equal("products__v1", await store.GetAliasTargetAsync("products", ct));
            Assert.Equal(2, (await versions.SwitchAsync("products", 2, ct)).Version);
            Assert.Equal("products__v2", await store.GetAliasTargetAsync("products", ct));
            var pruned = await versions.PruneAsync("products", ct);
            Assert.Equal(["products__v1"], pruned.Select(v => v.Physical).ToList());
            Assert.Null(await store.GetCollectionAsync("products__v1", ct));
            Assert.Equal(Products, await store.CountAsync("products", null, ct));
            Assert.Equal([2], (await versions.ListAsync("products", ct)).Select(l => l.Version.Version).ToList());
            await Assert.ThrowsAsync<Gme.Core.Errors.BadInputException>(() => versions.RollbackAsync("products", ct));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task BrokenModel_FailsTheGate_LiveVersionAndResultsStay()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var data = dir.File("data");
        IReadOnlyList<string> before;
        using (var first = EmbeddedPipelineHost.Build(data, Settings(LocalTextModel.ArcticXs)))
        {
            await first.StartAsync(ct);
            var v1 = await RunAsync(first, ct);
            Assert.True(v1.Passed, $"version 1: {v1.Error}");
            before = await TopIdsAsync(first, ct);
            await first.StopAsync(CancellationToken.None);
        }

        using var host = EmbeddedPipelineHost.Build(data, Settings(LocalTextModel.ArcticXs),
            services: s => s.AddSingleton<IEmbeddingProvider>(sp => new RandomVectorProvider(sp.GetRequiredService<LocalOnnxProvider>())));
        await host.StartAsync(ct);
        try
        {
            var broken = await RunAsync(host, ct);
            Assert.False(broken.Passed);
            Assert.Contains("quality gate: nDCG@10", broken.Error);

            var store = host.Services.GetRequiredService<IVectorStore>();
            var versions = host.Services.GetRequiredService<IndexVersions>();
            var listed = await versions.ListAsync("products", ct);
            Assert.Equal(
                [("products__v1", CollectionVersionState.Live, (bool?)true), ("products__v2", CollectionVersionState.Rejected, false)],
                listed.Select(l => (l.Version.Physical, l.Version.State, l.Version.GatePassed)).ToList());
            Assert.Contains("below", listed[1].Version.GateSummary);
            Assert.Equal("products__v1", await store.GetAliasTargetAsync("products", ct));
            TestContext.Current.TestOutputHelper?.WriteLine($"v1: {listed[0].Version.GateSummary}\nv2: {listed[1].Version.GateSummary}");

            // The live version answers exactly as before (queries are embedded by the real model in this host).
            Assert.Equal(before, await TopIdsAsync(host, ct));
            await Assert.ThrowsAsync<Gme.Core.Errors.BadInputException>(() => versions.SwitchAsync("products", 2, ct));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            (dot, na, nb) = (dot + a[i] * b[i], na + a[i] * a[i], nb + b[i] * b[i]);
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static Dictionary<string, string?> Settings(LocalTextModel model) => new()
    {
        ["Gme:Provider"] = "local",
        ["Gme:LocalModel:TextModel"] = model.ToString(),
        ["Gme:Quality:Queries"] = Path.Combine(RepositoryRoot.Find(), "eval", "sample.jsonl"),
        ["Gme:Quality:MinNdcgAt10"] = "0.2",
        ["Gme:Quality:MaxDropNdcg"] = "0.5",
    };

    private static async Task<IReadOnlyList<string>> TopIdsAsync(IHost host, CancellationToken ct) =>
        (await host.Services.GetRequiredService<ProductSearch>().SearchAsync(new SearchRequest { Text = "black jacket", Top = 10 }, ct))
        .Select(h => h.ProductId).ToList();

    private sealed record Outcome(bool Passed, string? Error);

    private static async Task<Outcome> RunAsync(IHost host, CancellationToken ct)
    {
        var (runId, _) = await host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(s_sample, "sample", ct);
        return await FollowAsync(host, runId, ct);
    }

    /// <summary>Starts the run (`gme run` publishes RunStarted) and waits for it to stop.</summary>
    private static async Task<Outcome> FollowAsync(IHost host, Guid runId, CancellationToken ct)
    {
        await host.Services.GetRequiredService<IBus>().Publish(new RunStarted { RunId = runId }, ct);
        var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
        RunEntity? run = null;
        await Eventually.TrueAsync(async () =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            run = await db.Runs.AsNoTracking().FirstAsync(r => r.Id == runId, ct);
            return run.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Paused;
        }, $"run {runId} to stop", s_runLimit, ct);
        return new Outcome(run!.Status == RunStatus.Completed && run.ValidationPassed == true, run.Error);
    }
}
