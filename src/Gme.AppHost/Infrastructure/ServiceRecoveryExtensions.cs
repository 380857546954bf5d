using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gme.AppHost.Infrastructure;

/// <summary>What the AppHost adds so a dead stage service is seen and comes back (issue 16, "stalls").</summary>
internal static class ServiceRecoveryExtensions
{
    /// <summary>
    /// Restarts the named services when they crash (local runs; a deployment's platform restarts its containers).
    /// </summary>
    public static IDistributedApplicationBuilder RestartCrashedServices(this IDistributedApplicationBuilder builder, params string[] services)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }

        builder.Services.AddOptions<CrashRestartOptions>().BindConfiguration(CrashRestartOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        if (builder.Configuration.GetValue($"{CrashRestartOptions.SectionName}:{nameof(CrashRestartOptions.Enabled)}", true))
        {
            var names = services.ToHashSet(StringComparer.Ordinal);
            builder.Services.AddHostedService(sp => new CrashRestarter(
                sp.GetRequiredService<ResourceNotificationService>(),
                sp.GetRequiredService<ResourceCommandService>(),
                sp.GetRequiredService<IOptions<CrashRestartOptions>>(),
                names,
                TimeProvider.System,
                sp.GetRequiredService<ILogger<CrashRestarter>>()));
        }

        return builder;
    }

    /// <summary>
    /// Shows on the Ingest's row of the dashboard whether every stage queue with work has a consumer: the Ingest's
    /// /health/stages answers 503 naming the service while one does not (a run is Stalled).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithStageConsumersHealth(this IResourceBuilder<ProjectResource> ingest) =>
        ingest.WithHttpHealthCheck("/health/stages");
}
