using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gme.Pipeline.Runs.Stalls;

/// <summary>
/// Unhealthy while a stage queue has work and no consumer past the limit, naming the service. It reports on other
/// services, not on this one's readiness, so it is tagged apart from /health and served on /health/stages (the
/// AppHost shows it on the dashboard); a stopped Embedder must not take the Ingest out of a load balancer.
/// </summary>
internal sealed class StageConsumersHealthCheck(StallDetector detector) : IHealthCheck
{
    public const string Name = "stage-consumers";
    public const string Tag = "stages";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stalls = detector.Current;
        return Task.FromResult(stalls.Count == 0
            ? HealthCheckResult.Healthy("every stage queue with work has a consumer")
            : HealthCheckResult.Unhealthy(string.Join("; ", stalls.Select(s => s.Describe()))));
    }
}
