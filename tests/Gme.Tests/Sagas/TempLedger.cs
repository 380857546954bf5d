using Gme.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Gme.Tests.Sagas;

/// <summary>A real SQLite ledger (plus the test saga's table) in a temp folder, schema from EnsureCreated.</summary>
internal sealed class TempLedger : IAsyncDisposable
{
    private TempLedger(DataPaths paths)
    {
        Paths = paths;
    }

    public DataPaths Paths { get; }

    public static async Task<TempLedger> CreateAsync(CancellationToken cancellationToken)
    {
        var paths = new DataPaths(Path.Combine(Path.GetTempPath(), "gme-saga-" + Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(paths.Root);
        var ledger = new TempLedger(paths);
        await using var db = ledger.Open();
        await db.Database.EnsureCreatedAsync(cancellationToken);
        return ledger;
    }

    public async Task<CounterState?> FindAsync(Guid correlationId, CancellationToken cancellationToken)
    {
        await using var db = Open();
        return await db.Set<CounterState>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, cancellationToken);
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await using var db = Open();
        return await db.Set<CounterState>().CountAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them before deleting the folder.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Paths.Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail the test.
        }

        return ValueTask.CompletedTask;
    }

    private CounterLedgerDbContext Open() =>
        new(new DbContextOptionsBuilder<CounterLedgerDbContext>().UseSqlite($"Data Source={Paths.LedgerFile}").Options);
}
