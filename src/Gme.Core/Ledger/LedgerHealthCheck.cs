using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gme.Core.Ledger;

/// <summary>Readiness: the ledger database answers. A service that cannot reach its state must not take work.</summary>
internal sealed class LedgerHealthCheck(IDbContextFactory<LedgerDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The ledger database does not answer.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The type only: a provider's message can carry the connection string.
            return HealthCheckResult.Unhealthy($"The ledger database check failed: {ex.GetType().Name}");
        }
    }
}
