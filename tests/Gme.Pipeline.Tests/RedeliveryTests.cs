using Gme.Cli.Hosting;
using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Vectors;
using Gme.Pipeline.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gme.Pipeline.Tests;

/// <summary>At-least-once delivery: replaying every message of a finished run must change nothing.</summary>
public sealed class RedeliveryTests
{
    [Fact]
    public async Task RedeliverEveryMessage_AfterFinishedRun_ChangesNothing()
    {
        using var dir = new TempDir();
        var data = dir.Sub("data");
        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "run", "--sample", "--products", "48", "--data-dir", data);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var before = await SnapshotAsync(data);

        var observer = new InFlightObserver();
        using (var host = BuildHost(data, observer))
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
            var bus = host.Services.GetRequiredService<IBus>();
            await using (var db = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext())
            {
                var runId = (await db.Runs.SingleAsync()).Id;
                var products = await db.Products.Select(p => p.Id).ToListAsync();
                await bus.Publish(new RunStarted { RunId = runId });
                foreach (var chunk in products.Chunk(16).Select((ids, i) => (ids, i)))
                {
                    await bus.Publish(new ProductsIngested { RunId = runId, ChunkNumber = chunk.i, ProductIds = chunk.ids });
                    await bus.Publish(new ImagesDownloaded { RunId = runId, ProductIds = chunk.ids, Failed = 0 });
                }

                await bus.Publish(new DatasetIngested { RunId = runId, Accepted = products.Count, Rejected = 0 });
                foreach (var shard in await db.Shards.ToListAsync())
                {
                    await bus.Publish(new ShardBuilt { RunId = runId, ShardId = shard.Id, Items = shard.Items });
                    await bus.Publish(new ShardSubmitted { RunId = runId, ShardId = shard.Id, JobName = shard.JobName! });
                    await bus.Publish(new CollectShard { RunId = runId, ShardId = shard.Id });
                }

                foreach (var file in await db.VectorFiles.ToListAsync())
                {
                    await bus.Publish(LedgerMessages.Collected(file));
                }

                await bus.Publish(new RunValidated { RunId = runId, Passed = true });
                await bus.Publish(new ValidateRun { RunId = runId });
            }

            await observer.WaitUntilQuietAsync(TimeSpan.FromMinutes(2));
            Assert.True(observer.Consumed > 20, $"only {observer.Consumed} messages were consumed");
            Assert.Equal(0, observer.Faulted);
            await host.StopAsync(TestContext.Current.CancellationToken);
        }

        var after = await SnapshotAsync(data);
        Assert.Equal(before.Products, after.Products);
        Assert.Equal(before.Files, after.Files);
        Assert.Equal(before.Points, after.Points);
        Assert.Equal(before.Jobs, after.Jobs);
        Assert.Equal(before.Images, after.Images);
    }

    private static IHost BuildHost(string data, InFlightObserver observer)
    {
        // The same composition root as `gme run`, plus an observer; internal to the CLI, visible to this test.
        return CliHost.BuildPipeline(new CommonOptions(data, Verbose: false), sample: true, services => services.AddConsumeObserver(_ => observer));
    }

    private static async Task<Snapshot> SnapshotAsync(string data)
    {
        var probe = new LedgerProbe(data);
        var products = (await probe.ProductsAsync())
            .Select(p => $"{p.Id}|{p.Stage}|{p.Failed}|{p.ShardId}|{p.VectorFileId}|{p.ContentHash}|{p.ImageSha256}").ToList();
        var files = (await probe.VectorFilesAsync())
            .Select(f => $"{f.Id}|{f.Sha256}|{f.State}|{f.Rows}|{File.GetLastWriteTimeUtc(f.Path):O}").ToList();
        var jobs = Directory.GetFiles(Path.Combine(data, "jobs")).Order()
            .Select(f => $"{Path.GetFileName(f)}|{File.GetLastWriteTimeUtc(f):O}").ToList();
        var images = Directory.GetFiles(Path.Combine(data, "images"), "*", SearchOption.AllDirectories).Order().ToList();

        using var host = CliHost.BuildQuery(new CommonOptions(data, Verbose: false));
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IVectorStore>();
        var ids = (await probe.ProductsAsync()).Select(p => PointIds.FromProductId(p.Id)).ToList();
        var points = (await store.RetrieveAsync("products", ids, withVectors: false))
            .Select(p => $"{p.Id}|{PayloadText(p.Payload)}").Order().ToList();
        var count = await store.CountAsync("products");
        points.Add($"count={count}");
        await host.StopAsync();
        return new Snapshot(products, files, points, jobs, images);
    }

    private static string PayloadText(IReadOnlyDictionary<string, string?> payload) =>
        string.Join(";", payload.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    private sealed record Snapshot(List<string> Products, List<string> Files, List<string> Points, List<string> Jobs, List<string> Images);
}
