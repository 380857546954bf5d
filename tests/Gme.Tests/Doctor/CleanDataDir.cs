using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Core.Vectors;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gme.Tests.Doctor;

/// <summary>
/// One finished sample run (two chunks, two vector files), made once and copied for each damage: the clean state the
/// doctor's repair must return to (the same points with the same vectors).
/// </summary>
public sealed class CleanDataDir : IAsyncLifetime
{
    public const int Products = 40;

    /// <summary>A whole run with the local model, on a shared machine where other test classes run beside it.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private readonly TempDirectory _dir = new();

    public string Path => _dir.Path;

    public string Collection { get; private set; } = "";

    /// <summary>Point id to its vectors, as the clean index holds them.</summary>
    public IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, float[]>> Points { get; private set; } = new Dictionary<Guid, IReadOnlyDictionary<string, float[]>>();

    public static IHost BuildHost(string data) => EmbeddedPipelineHost.Build(data, new Dictionary<string, string?>
    {
        ["Gme:ChunkSize"] = "20",
        ["Gme:Embedder:ShardMaxItems"] = "20",

        // A shard whose first collect comes too early (a loaded machine) waits for the next poll: keep that short.
        ["Gme:Embedder:PollInterval"] = "00:00:01",
    });

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        using var host = BuildHost(_dir.Path);
        await host.StartAsync(ct);
        try
        {
            var spec = new SourceSpec { Kind = "sample", SampleProducts = Products };
            var (runId, _) = await host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(spec, "sample", ct);
            await host.Services.GetRequiredService<IBus>().Publish(new RunStarted { RunId = runId }, ct);
            var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
            await Eventually.ValueAsync(async () =>
            {
                await using var db = dbFactory.CreateDbContext();
                var stages = await db.Products.GroupBy(p => new { p.Stage, p.Failed }).Select(g => $"{g.Key.Stage}{(g.Key.Failed ? " failed" : "")}: {g.Count()}").ToListAsync(ct);
                var run = await db.Runs.SingleAsync(r => r.Id == runId, ct);
                return $"{string.Join(", ", stages)}; run {run.Status}";
            }, s => s.StartsWith($"Indexed: {Products};", StringComparison.Ordinal), "every product indexed", RunTimeout, ct);
            Collection = (await dbFactory.CreateDbContext().Runs.SingleAsync(r => r.Id == runId, ct)).Collection;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        Points = await ReadPointsAsync(_dir.Path, Collection);
    }

    /// <summary>The points of <paramref name="collection"/> in the data dir, read by a fresh host.</summary>
    public static async Task<IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, float[]>>> ReadPointsAsync(string data, string collection)
    {
        using var host = BuildHost(data);
        await using var db = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext();
        var ids = (await db.Products.Select(p => p.Id).ToListAsync()).Select(PointIds.FromProductId).ToList();
        var points = await host.Services.GetRequiredService<IVectorStore>().RetrieveAsync(collection, ids, withVectors: true);
        return points.ToDictionary(p => p.Id, p => p.Vectors);
    }

    public void CopyTo(string destination)
    {
        foreach (var file in Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories))
        {
            if (System.IO.Path.GetFileName(file) == ".lock")
            {
                continue;
            }

            var target = System.IO.Path.Combine(destination, System.IO.Path.GetRelativePath(_dir.Path, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The damage matrix runs a whole pipeline (with the local model) for its clean state: alone, after the parallel
/// tests, so that a loaded machine does not push it past the wait for every product to be indexed. The clean run is
/// made once for the whole collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DoctorCollection : ICollectionFixture<CleanDataDir>
{
    public const string Name = "doctor";
}
