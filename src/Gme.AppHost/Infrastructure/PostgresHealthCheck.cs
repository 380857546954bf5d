using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Gme.AppHost.Infrastructure;

/// <summary>Healthy once <c>SELECT 1</c> answers: postgres accepts connections only after recovery finishes.</summary>
internal sealed class PostgresHealthCheck(string connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL SELECT 1 failed: {ex.GetType().Name}");
        }
    }
}
