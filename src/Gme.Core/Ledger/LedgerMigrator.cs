using Gme.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gme.Core.Ledger;

/// <summary>
/// Brings the ledger schema up to date before anything else starts (it is registered before the bus), and
/// removes temporary files a crash may have left in the data directory.
/// </summary>
public sealed class LedgerMigrator(IServiceProvider services, DataPaths paths) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        paths.EnsureCreated();
        foreach (var dir in new[] { paths.Shards, paths.Jobs, paths.Vectors, paths.Reports })
        {
            AtomicFile.CleanTemporaryFiles(dir);
        }

        await using var db = services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext();
        if (db is not PostgresLedgerDbContext)
        {
            await db.Database.MigrateAsync(cancellationToken);
            return;
        }

        // Every service of the distributed profile migrates the one PostgreSQL ledger as it starts, all at once on a
        // fresh database. EF Core's own migration lock is taken only after its history table exists, and concurrent
        // CREATE TABLE IF NOT EXISTS can fail in PostgreSQL (a unique violation in its catalog), which stopped a
        // service at start. A session advisory lock, held on the connection the migration uses, lines them up.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
            try
            {
                await db.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The advisory lock key the services' migrations share ("GmeLedg" as a number, arbitrary but fixed).</summary>
    private const long MigrationLockKey = 0x476D654C656467;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
