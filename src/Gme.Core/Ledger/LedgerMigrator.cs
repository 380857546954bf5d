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
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
