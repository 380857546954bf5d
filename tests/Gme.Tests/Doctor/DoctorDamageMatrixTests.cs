using Gme.Core.Ledger;
using Gme.Pipeline.Doctor;
using Gme.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Doctor;

/// <summary>
/// Each kind of damage to a data dir is found by `gme doctor` and repaired by `--repair` to the clean state: the same
/// indexed points with the same vectors, nothing dropped silently.
/// </summary>
[Collection(DoctorCollection.Name)]
public sealed class DoctorDamageMatrixTests(CleanDataDir clean)
{
    public static TheoryData<string> IndexDamage() => ["points-log-halved", "points-log-byte-flipped", "points-log-deleted", "index-deleted", "collection-json-emptied"];

    [Fact]
    public async Task Check_CleanDataDir_FindsNothing()
    {
        using var dir = new TempDirectory();
        clean.CopyTo(dir.Path);

        Assert.Empty(await CheckAsync(dir.Path));
    }

    [Theory]
    [MemberData(nameof(IndexDamage))]
    public async Task Repair_IndexDamage_RebuildsTheSamePointsFromTheVectorFiles(string damage)
    {
        using var dir = new TempDirectory();
        clean.CopyTo(dir.Path);
        Damage(dir.Path, damage);

        var findings = await CheckAsync(dir.Path);
        Assert.NotEmpty(findings);
        Assert.All(findings, f => Assert.True(f.Repairable, f.ToString()));
        Assert.All(findings, f => Assert.DoesNotContain('\n', f.ToString()));

        using (var host = CleanDataDir.BuildHost(dir.Path))
        {
            var done = await host.Services.GetRequiredService<DataDirDoctor>().RepairAsync(TestContext.Current.CancellationToken);
            Assert.Contains(done, d => d.Contains("rebuilt", StringComparison.Ordinal));
        }

        Assert.Empty(await CheckAsync(dir.Path));
        var points = await CleanDataDir.ReadPointsAsync(dir.Path, clean.Collection);
        Assert.Equal(clean.Points.Count, points.Count);
        Assert.Equal(CleanDataDir.Products, points.Count);
        foreach (var (id, vectors) in clean.Points)
        {
            foreach (var (name, vector) in vectors)
            {
                Assert.Equal(vector, points[id][name]);
            }
        }
    }

    [Fact]
    public async Task Repair_VectorFileDeleted_RequeuesItsProductsAndKeepsTheRestIndexed()
    {
        using var dir = new TempDirectory();
        clean.CopyTo(dir.Path);
        string deleted;
        int lost;
        using (var host = CleanDataDir.BuildHost(dir.Path))
        {
            await using var db = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext();
            var file = await db.VectorFiles.OrderBy(f => f.Id).FirstAsync();
            deleted = file.Path.Replace(clean.Path, dir.Path, StringComparison.Ordinal);
            lost = await db.Products.CountAsync(p => p.VectorFileId == file.Id);
        }

        // The copied ledger names the clean dir's files; point them at the copy first.
        RebaseVectorFilePaths(dir.Path);
        File.Delete(deleted);

        var findings = await CheckAsync(dir.Path);
        Assert.Contains(findings, f => f.Part == deleted && f.Problem.StartsWith("vector file is missing", StringComparison.Ordinal));

        using (var host = CleanDataDir.BuildHost(dir.Path))
        {
            await host.Services.GetRequiredService<DataDirDoctor>().RepairAsync(TestContext.Current.CancellationToken);
            await using var db = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext();
            Assert.Equal(lost, await db.Products.CountAsync(p => p.Stage == ProductStage.ImageReady && p.VectorFileId == null));
            Assert.Equal(CleanDataDir.Products - lost, await db.Products.CountAsync(p => p.Stage == ProductStage.Indexed));
        }

        Assert.Empty(await CheckAsync(dir.Path));
        Assert.Equal(CleanDataDir.Products - lost, (await CleanDataDir.ReadPointsAsync(dir.Path, clean.Collection)).Count);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("emptied")]
    public void CheckLedger_DamagedLedger_SaysSoInOneLine(string damage)
    {
        using var dir = new TempDirectory();
        clean.CopyTo(dir.Path);
        var ledger = Path.Combine(dir.Path, "ledger.db");
        using (var connection = new SqliteConnection($"Data Source={ledger};Pooling=False"))
        {
            // Everything into the main file first, so that cutting it loses rows, not just an unused tail.
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;";
            checkpoint.ExecuteNonQuery();
        }

        using (var stream = new FileStream(ledger, FileMode.Open))
        {
            stream.SetLength(damage == "truncated" ? stream.Length / 2 : 0);
            if (damage == "emptied")
            {
                stream.Write(new byte[4096]);
            }
        }

        var problem = DataDirDoctor.CheckLedger(ledger);

        Assert.NotNull(problem);
        Assert.DoesNotContain('\n', problem);
    }

    private async Task<IReadOnlyList<DoctorFinding>> CheckAsync(string data)
    {
        RebaseVectorFilePaths(data);
        using var host = CleanDataDir.BuildHost(data);
        return await host.Services.GetRequiredService<DataDirDoctor>().CheckAsync(TestContext.Current.CancellationToken);
    }

    private void RebaseVectorFilePaths(string data)
    {
        using var host = CleanDataDir.BuildHost(data);
        using var db = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext();
        foreach (var file in db.VectorFiles.ToList())
        {
            file.Path = file.Path.Replace(clean.Path, data, StringComparison.Ordinal);
        }

        db.SaveChanges();
    }

    private void Damage(string data, string damage)
    {
        if (!IndexFolderDamage.TryApply(data, clean.Collection, damage))
        {
            throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }
}
