using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Gme service shares: OpenTelemetry (Gme sources, MassTransit, EF Core, HttpClient), health endpoints,
/// and service discovery. No resilience handler is added to every client: each HTTP client declares its one retry
/// policy where it is registered (see README "Retries"), because a default pipeline stacked on a client's own retry
/// loop multiplies attempts and its per-attempt timeout cut long uploads and downloads off.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Gme.*", "MassTransit"))
            .WithTracing(tracing =>
            {
                // Parent-based (the default) in every environment: a health probe's request is filtered out below and
                // a poller's root query is dropped by QuietBackgroundRoots, and what runs under either must go with it
                // (an always-on sampler recorded those children as parentless one-span traces).
                tracing.SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
                    .AddProcessor(new QuietBackgroundRoots())
                    .AddSource(builder.Environment.ApplicationName, "Gme.*", "MassTransit", "Microsoft.EntityFrameworkCore", "Npgsql")
                    .AddAspNetCoreInstrumentation(o => o.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                    .AddHttpClientInstrumentation();
            });

        // Export only where a collector is configured (the Aspire dashboard sets this variable).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Readiness covers every registered check of this service (ledger, bus), not those tagged "stages" that report
        // on other services (served on their own path); liveness only says the process answers.
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { Predicate = r => !r.Tags.Contains("stages") });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }
}
