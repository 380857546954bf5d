using Gme.Core.Ledger;
using Gme.Core.VectorFiles;
using Gme.Pipeline.Tests.Support;

namespace Gme.Pipeline.Tests;

/// <summary>
/// SIGKILL the CLI at several points of a run, run it again, and compare with a clean run: same products, same
/// point ids, no duplicates, identical vectors, and work finished before a crash is not redone.
/// </summary>
public sealed class CrashResumeTests
{
    private const int Products = 160;
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task KillAtSeveralPoints_ResumeConvergesToCleanRunState()
    {
        using var dir = new TempDir();
        var clean = dir.Sub("clean");
        var crashed = dir.Sub("crashed");
        var args = new[] { "run", "--sample", "--products", Products.ToString() };

        var cleanRun = await CliProcess.RunAsync(s_limit, [.. args, "--data-dir", clean]);
        Assert.True(cleanRun.ExitCode == 0, cleanRun.Stdout + cleanRun.Stderr);

        var probe = new LedgerProbe(crashed);
        // Each kill lands once the restarted process itself has moved a stage forward by some products.
        var killPoints = new (string What, Func<Task<int>> Count, int Delta)[]
        {
            ("20 more products ingested", () => probe.CountAsync(q => q), 20),
            ("32 more products embedded", () => probe.CountAsync(q => q.Where(p => p.Stage >= ProductStage.Embedded)), 32),
            ("32 more products indexed", () => probe.CountAsync(q => q.Where(p => p.Stage == ProductStage.Indexed)), 32),
        };

        var finishedBeforeCrash = new Dictionary<string, (string Sha, DateTime WrittenAt)>();
        foreach (var (what, count, delta) in killPoints)
        {
            var baseline = await count();
            using var cli = CliProcess.Start([.. args, "--data-dir", crashed]);
            await Eventually.WaitAsync(async () => cli.HasExited || await count() >= baseline + delta, s_limit, what, () => cli.Stdout + cli.Stderr);
            cli.Kill();
            foreach (var file in await probe.VectorFilesAsync())
            {
                finishedBeforeCrash.TryAdd(file.Id, (file.Sha256, File.GetLastWriteTimeUtc(file.Path)));
            }
        }

        Assert.NotEmpty(finishedBeforeCrash);
        var resumed = await CliProcess.RunAsync(s_limit, [.. args, "--data-dir", crashed]);
        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        Assert.Contains("Resuming run", resumed.Stdout);

        var cleanProducts = await new LedgerProbe(clean).ProductsAsync();
        var crashedProducts = await probe.ProductsAsync();
        Assert.Equal(Products, crashedProducts.Count);
        Assert.All(crashedProducts, p => Assert.True(p.Stage == ProductStage.Indexed && !p.Failed, $"{p.Id} is {p.Stage}, failed={p.Failed}: {p.LastError}"));
        Assert.Equal(cleanProducts.Select(p => p.Id), crashedProducts.Select(p => p.Id));

        // Work finished before a crash was kept as it was, not redone.
        var files = (await probe.VectorFilesAsync()).ToDictionary(f => f.Id);
        foreach (var (id, (sha, writtenAt)) in finishedBeforeCrash)
        {
            Assert.True(files.TryGetValue(id, out var file), $"vector file {id} vanished");
            Assert.Equal(sha, file.Sha256);
            Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(file.Path));
        }

        // Same vectors as the clean run, one row per product, and the index holds exactly one point per product.
        var cleanVectors = await ReadCurrentVectorsAsync(new LedgerProbe(clean));
        var crashedVectors = await ReadCurrentVectorsAsync(probe);
        Assert.Equal(cleanVectors.Keys.Order(), crashedVectors.Keys.Order());
        foreach (var (productId, vectors) in cleanVectors)
        {
            Assert.Equal(vectors.PointId, crashedVectors[productId].PointId);
            foreach (var (name, vector) in vectors.Vectors)
            {
                var other = crashedVectors[productId].Vectors[name];
                Assert.Equal(vector.Length, other.Length);
                for (var i = 0; i < vector.Length; i++)
                {
                    Assert.True(Math.Abs(vector[i] - other[i]) < 1e-5f, $"{productId}/{name}[{i}] differs");
                }
            }
        }

        var validate = await CliProcess.RunAsync(s_limit, "validate", "--json", "--data-dir", crashed);
        Assert.True(validate.ExitCode == 0, validate.Stdout + validate.Stderr);
        Assert.Contains($"\"storePoints\": {Products}", validate.Stdout);
    }

    private static async Task<Dictionary<string, VectorRow>> ReadCurrentVectorsAsync(LedgerProbe probe)
    {
        var current = (await probe.ProductsAsync()).ToDictionary(p => p.Id, p => p.VectorFileId);
        var result = new Dictionary<string, VectorRow>();
        foreach (var file in await probe.VectorFilesAsync())
        {
            await foreach (var row in VectorFileReader.ReadRowsAsync(file.Path, CancellationToken.None))
            {
                if (current.GetValueOrDefault(row.ProductId) == file.Id)
                {
                    Assert.True(result.TryAdd(row.ProductId, row), $"{row.ProductId} has two current rows");
                }
            }
        }

        return result;
    }
}
