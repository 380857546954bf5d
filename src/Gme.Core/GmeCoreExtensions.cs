using Gme.Core.Ledger;
using Gme.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Gme.Core;

public static class GmeCoreExtensions
{
    /// <summary>
    /// What every Gme process needs before its stages: options, the data directory, the clock and the ledger of the
    /// configured profile (SQLite under the data directory, or PostgreSQL from ConnectionStrings:gme-state).
    /// </summary>
    public static IHostApplicationBuilder AddGmeCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GmeOptions>().BindConfiguration(GmeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(GmeOptions.SectionName).Get<GmeOptions>() ?? new GmeOptions();
        var paths = new DataPaths(options.DataDirectory);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(paths);
        services.TryAddSingleton<Images.IImageCache, Images.ImageCache>();

        if (options.Profile == GmeProfile.Embedded)
        {
            paths.EnsureCreated();
            services.AddSqliteLedger(paths);
        }
        else
        {
            var connectionString = builder.Configuration.GetConnectionString(ResourceNames.State)
                ?? throw new InvalidOperationException($"The distributed profile needs ConnectionStrings:{ResourceNames.State} (PostgreSQL).");
            services.AddPostgresLedger(connectionString);
        }

        // Registered first so the schema exists before the bus starts delivering messages.
        services.AddHostedService<LedgerMigrator>();
        services.AddHealthChecks().AddCheck<LedgerHealthCheck>("ledger", tags: ["ready"]);
        services.AddSingleton<Runs.LedgerStatus>();
        services.AddSingleton<Runs.RunStarter>();
        services.AddSingleton<Runs.PipelineRecovery>();
        return builder;
    }
}
