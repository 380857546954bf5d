using Gme.Core.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Tests.Support;

/// <summary>Reads a data directory's ledger from the test process while (or after) the CLI writes it.</summary>
internal sealed class LedgerProbe(string dataDirectory)
{
    public string LedgerFile => Path.Combine(dataDirectory, "ledger.db");

    public SqliteLedgerDbContext Open()
    {
        var options = new DbContextOptionsBuilder<SqliteLedgerDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = LedgerFile, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 30 }.ToString())
            .Options;
        return new SqliteLedgerDbContext(options);
    }

    /// <summary>Zero while the ledger or its tables do not exist yet.</summary>
    public async Task<int> CountAsync(Func<IQueryable<ProductEntity>, IQueryable<ProductEntity>> filter)
    {
        if (!File.Exists(LedgerFile))
        {
            return 0;
        }

        try
        {
            await using var db = Open();
            return await filter(db.Products).CountAsync();
        }
        catch (SqliteException)
        {
            return 0; // schema not created yet, or the writer holds an exclusive lock for a moment
        }
    }

    public async Task<List<ProductEntity>> ProductsAsync()
    {
        await using var db = Open();
        return await db.Products.AsNoTracking().OrderBy(p => p.Id).ToListAsync();
    }

    public async Task<List<VectorFileEntity>> VectorFilesAsync()
    {
        await using var db = Open();
        return await db.VectorFiles.AsNoTracking().OrderBy(f => f.Id).ToListAsync();
    }

    public async Task<List<RunEntity>> RunsAsync()
    {
        await using var db = Open();
        return await db.Runs.AsNoTracking().OrderBy(r => r.CreatedAt).ToListAsync();
    }
}
