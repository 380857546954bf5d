using Gme.Core.Ledger;
using Gme.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Sagas;

/// <summary>
/// The ledger model plus the test saga's own table, as a saga whose instance is an entity of the ledger (like the
/// run saga's RunEntity) is stored: key = correlation id, Version = concurrency token.
/// </summary>
internal sealed class CounterLedgerDbContext(DbContextOptions<CounterLedgerDbContext> options) : LedgerDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<CounterState>(e =>
        {
            e.ToTable("counters");
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.Version).IsConcurrencyToken();
        });
    }

    /// <summary>Registers this context as the ledger of a test service collection.</summary>
    public static void AddTo(IServiceCollection services, DataPaths paths)
    {
        services.AddDbContextFactory<CounterLedgerDbContext>(o => o.UseSqlite($"Data Source={paths.LedgerFile}"));
        services.AddSingleton<IDbContextFactory<LedgerDbContext>>(sp => new Upcast(sp.GetRequiredService<IDbContextFactory<CounterLedgerDbContext>>()));
    }

    private sealed class Upcast(IDbContextFactory<CounterLedgerDbContext> inner) : IDbContextFactory<LedgerDbContext>
    {
        public LedgerDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
