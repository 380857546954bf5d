using Gme.Core.Ledger;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Doctor;

/// <summary>
/// The validator reads the ledger file by file (never the whole catalogue's ids at once) and still sees what does not
/// agree: a clean run passes with every count equal; a deleted vector file is named and its rows are missing from the
/// Parquet count, with the ledger and index counts unchanged.
/// </summary>
[Collection(DoctorCollection.Name)]
public sealed class ValidatorFindingsTests(CleanDataDir clean)
{
    [Fact]
    public async Task CleanRun_Passes_DeletedVectorFile_IsNamedAndItsRowsMissing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        clean.CopyTo(dir.Path);
        SqliteConnection.ClearAllPools();
        using var host = CleanDataDir.BuildHost(dir.Path);
        var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
        Guid runId;
        VectorFileEntity deleted;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            foreach (var file in await db.VectorFiles.ToListAsync(ct))
            {
                file.Path = file.Path.Replace(clean.Path, dir.Path, StringComparison.Ordinal);
            }

            await db.SaveChangesAsync(ct);
            runId = (await db.Runs.SingleAsync(ct)).Id;
            deleted = await db.VectorFiles.AsNoTracking().OrderBy(f => f.Id).FirstAsync(ct);
        }

        var validator = host.Services.GetRequiredService<RunValidator>();
        var before = await validator.ValidateAsync(runId, ct);
        Assert.True(before.Passed, string.Join("; ", before.Problems));
        Assert.Equal(CleanDataDir.Products, before.Counts.IndexedProducts);
        Assert.Equal(CleanDataDir.Products, before.Counts.ParquetRows);
        Assert.Equal(0, before.Vectors.Bad);
        Assert.True(before.Vectors.Checked >= CleanDataDir.Products, $"{before.Vectors.Checked} vectors checked");

        File.Delete(deleted.Path);
        var after = await validator.ValidateAsync(runId, ct);

        Assert.False(after.Passed);
        Assert.Equal(CleanDataDir.Products, after.Counts.IndexedProducts);
        Assert.Equal(CleanDataDir.Products - deleted.Rows, after.Counts.ParquetRows);
        Assert.Contains(after.Vectors.Examples, e => e.Contains(deleted.Path, StringComparison.Ordinal) && e.Contains("is missing", StringComparison.Ordinal));
        Assert.Contains(after.Problems, p => p.Contains($"the Parquet files hold {CleanDataDir.Products - deleted.Rows} current vectors", StringComparison.Ordinal));
    }
}
