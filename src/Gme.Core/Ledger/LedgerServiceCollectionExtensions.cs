using Gme.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gme.Core.Ledger;

public static class LedgerServiceCollectionExtensions
{
    /// <summary>The ledger on SQLite under the data directory (embedded profile).</summary>
    public static IServiceCollection AddSqliteLedger(this IServiceCollection services, DataPaths paths)
    {
        var connectionString = $"Data Source={paths.LedgerFile};Cache=Private;Pooling=True;Default Timeout=60";
        services.AddDbContextFactory<SqliteLedgerDbContext>(o => o
            .UseSqlite(connectionString)
            .AddInterceptors(new SqlitePragmaInterceptor())
            .ConfigureWarnings(w => w.Log(
                // A migration that changes a key rebuilds the table (CatalogueCollections): its columns are added and
                // filled first, the rebuild copies them last, and the whole of it runs in the migration's transaction;
                // only the PRAGMA foreign_keys toggle around it cannot, and that setting lives and dies with the
                // connection. Said at debug level, so a first `gme run` does not print two warnings about it.
                (SqliteEventId.TableRebuildPendingWarning, LogLevel.Debug),
                (RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Debug))));
        services.AddSingleton<IDbContextFactory<LedgerDbContext>>(sp =>
            new UpcastFactory<SqliteLedgerDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteLedgerDbContext>>()));
        return services;
    }

    /// <summary>The ledger on PostgreSQL (distributed profile).</summary>
    public static IServiceCollection AddPostgresLedger(this IServiceCollection services, string connectionString)
    {
        // No EF retrying strategy: stages open their own transactions, which it refuses, and every consumer is
        // idempotent under the bus's message retry, which replays the whole unit of work instead.
        services.AddDbContextFactory<PostgresLedgerDbContext>(o => o.UseNpgsql(connectionString));
        services.AddSingleton<IDbContextFactory<LedgerDbContext>>(sp =>
            new UpcastFactory<PostgresLedgerDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresLedgerDbContext>>()));
        return services;
    }

    /// <summary>Stages ask for the provider-neutral context; this hands them the configured provider's.</summary>
    private sealed class UpcastFactory<T>(IDbContextFactory<T> inner) : IDbContextFactory<LedgerDbContext>
        where T : LedgerDbContext
    {
        public LedgerDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
