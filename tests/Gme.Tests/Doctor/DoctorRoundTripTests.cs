using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Pipeline.Doctor;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Doctor;

/// <summary>
/// The whole way back from each kind of damage, in process: a copy of a finished sample run is damaged, the doctor
/// explains it in one line each, `--repair` fixes what it found, the same run is started again (as `gme run
/// --sample` would: start or resume, re-queue), and the run ends validated with the clean run's state: every product
/// indexed, the same point ids with the same vectors, nothing dropped.
/// </summary>
[Collection(DoctorCollection.Name)]
public sealed class DoctorRoundTripTests(CleanDataDir clean)
{
    public static TheoryData<string> Damages() =>
    [
        "vector-file-deleted", "points-log-halved", "points-log-byte-flipped", "points-log-deleted", "index-deleted", "collection-json-emptied",
        "ledger-truncated", "ledger-emptied", "wal-torn", "wal-garbage",
    ];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Damage_DoctorRepairRun_EndsValidatedInTheCleanState(string damage)
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        clean.CopyTo(dir.Path);
        RebaseVectorFilePaths(dir.Path);

        // `gme doctor` and `gme run` are separate processes: no pooled connection may keep the ledger open across the
        // damage (closing it later would checkpoint over a damaged log) or across the repair (it would hold the old file).
        SqliteConnection.ClearAllPools();
        Damage(dir.Path, damage);
        SqliteConnection.ClearAllPools();

        // The doctor explains, one line per problem, and says it can repair it.
        var findings = await CheckAsync(dir.Path);
        TestContext.Current.TestOutputHelper?.WriteLine($"{damage}:\n  " + string.Join("\n  ", findings));
        Assert.NotEmpty(findings);
        Assert.All(findings, f => Assert.DoesNotContain('\n', f.ToString()));
        Assert.All(findings, f => Assert.True(f.Repairable, f.ToString()));

        var done = await RepairAsync(dir.Path);
        SqliteConnection.ClearAllPools();
        TestContext.Current.TestOutputHelper?.WriteLine("  repaired: " + string.Join("\n  repaired: ", done));
        Assert.NotEmpty(done);
        Assert.Empty(await CheckAsync(dir.Path));

        // `gme run --sample` again, then its validation.
        var run = await RunAgainAsync(dir.Path, ct);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.True(run.ValidationPassed, $"{damage}: validation failed: {run.Error}");

        using (var host = CleanDataDir.BuildHost(dir.Path))
        {
            await using var db = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext();
            Assert.Equal(CleanDataDir.Products, await db.Products.CountAsync(p => p.Stage == ProductStage.Indexed && !p.Failed, ct));
        }

        var points = await CleanDataDir.ReadPointsAsync(dir.Path, clean.Collection);
        Assert.Equal(clean.Points.Keys.Order(), points.Keys.Order());
        foreach (var (id, vectors) in clean.Points)
        {
            foreach (var (name, vector) in vectors)
            {
                Assert.Equal(vector, points[id][name]);
            }
        }

        Assert.Empty(await CheckAsync(dir.Path));
    }

    /// <summary>What `gme doctor` prints before it opens the ledger, then what the doctor finds with it open.</summary>
    private static async Task<IReadOnlyList<DoctorFinding>> CheckAsync(string data)
    {
        var ledger = Path.Combine(data, "ledger.db");
        var findings = new List<DoctorFinding>();
        if (DataDirDoctor.CheckWriteAheadLog(ledger) is { } wal)
        {
            findings.Add(new DoctorFinding(ledger, $"{wal}; {DataDirDoctor.WalRepairHint}", Repairable: true));
        }

        else if (DataDirDoctor.CheckLedger(ledger) is { } problem)
        {
            findings.Add(new DoctorFinding(ledger, $"{problem}; {DataDirDoctor.LedgerRepairHint}", Repairable: true));
        }

        if (findings.Count > 0 || !File.Exists(ledger))
        {
            return findings;
        }

        using var host = CleanDataDir.BuildHost(data);
        return await host.Services.GetRequiredService<DataDirDoctor>().CheckAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<IReadOnlyList<string>> RepairAsync(string data)
    {
        var done = DataDirDoctor.RepairLedgerFiles(Path.Combine(data, "ledger.db"), TimeProvider.System).ToList();
        if (File.Exists(Path.Combine(data, "ledger.db")))
        {
            using var host = CleanDataDir.BuildHost(data);
            done.AddRange(await host.Services.GetRequiredService<DataDirDoctor>().RepairAsync(TestContext.Current.CancellationToken));
        }

        return done;
    }

    /// <summary>The body of `gme run --sample --products N` (RunCommand): start or resume, re-queue on resume, follow to the end.</summary>
    private static async Task<RunProgressCounts> RunAgainAsync(string data, CancellationToken ct)
    {
        using var host = CleanDataDir.BuildHost(data);
        await host.StartAsync(ct);
        try
        {
            var services = host.Services;
            var spec = new SourceSpec { Kind = "sample", SampleProducts = CleanDataDir.Products };
            var (runId, resumed) = await services.GetRequiredService<RunStarter>().StartOrResumeAsync(spec, "sample", ct);
            var bus = services.GetRequiredService<IBus>();
            await bus.Publish(new RunStarted { RunId = runId }, ct);
            if (resumed)
            {
                await services.GetRequiredService<RunStarter>().WaitUntilResumedAsync(runId, TimeSpan.FromSeconds(30), ct);
                await services.GetRequiredService<PipelineRecovery>().RequeueAsync(runId, bus, releaseClaims: true, ct);
            }

            var status = services.GetRequiredService<LedgerStatus>();
            return await Eventually.ValueAsync(() => status.ReadRunAsync(runId, ct), c => c.IsFinished, "the run finished", CleanDataDir.RunTimeout, ct);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
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
        if (IndexFolderDamage.TryApply(data, clean.Collection, damage))
        {
            return;
        }

        var ledger = Path.Combine(data, "ledger.db");
        switch (damage)
        {
            case "vector-file-deleted":
                using (var host = CleanDataDir.BuildHost(data))
                using (var db = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext())
                {
                    File.Delete(db.VectorFiles.OrderBy(f => f.Id).First().Path);
                }

                break;
            case "ledger-truncated" or "ledger-emptied":
                Checkpoint(ledger);
                using (var stream = new FileStream(ledger, FileMode.Open))
                {
                    stream.SetLength(damage == "ledger-truncated" ? stream.Length / 2 : 0);
                    if (damage == "ledger-emptied")
                    {
                        stream.Write(new byte[4096]);
                    }
                }

                break;
            case "wal-torn" or "wal-garbage":
                var garbage = new byte[damage == "wal-torn" ? 10 : 4096];
                new Random(garbage.Length).NextBytes(garbage);
                File.WriteAllBytes(ledger + "-wal", garbage);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }

    /// <summary>Everything into the main file, so that cutting it loses rows, not just an unused tail.</summary>
    private static void Checkpoint(string ledger)
    {
        using var connection = new SqliteConnection($"Data Source={ledger};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;";
        command.ExecuteNonQuery();
    }
}
