using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Gme.Pipeline.Runs.Stalls;

/// <summary>The Ingest service's run watchdog: lost-message re-announcements and stage stalls (distributed profile).</summary>
public static class StallWatchExtensions
{
    /// <summary>The watchdog, the broker probe it reads queues with, and the stage-consumers health check.</summary>
    public static IHostApplicationBuilder AddRunWatchdog(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RunWatchdogOptions>().BindConfiguration(RunWatchdogOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StallDetector>();
        services.AddSingleton<IQueueProbe>(_ =>
        {
            var broker = builder.Configuration.GetConnectionString(ResourceNames.Bus)
                ?? throw new InvalidOperationException($"The run watchdog needs the RabbitMQ connection string (ConnectionStrings:{ResourceNames.Bus}).");
            return new RabbitMqQueueProbe(new Uri(broker));
        });
        services.AddHostedService<RunWatchdog>();
        services.AddHealthChecks().AddCheck<StageConsumersHealthCheck>(StageConsumersHealthCheck.Name, tags: [StageConsumersHealthCheck.Tag]);
        return builder;
    }

    /// <summary>
    /// <c>/health/stages</c>: the stage-consumers check alone (unhealthy names the service with work and no consumer).
    /// </summary>
    public static IEndpointRouteBuilder MapStageHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/stages", new HealthCheckOptions { Predicate = r => r.Tags.Contains(StageConsumersHealthCheck.Tag) });
        return app;
    }
}
