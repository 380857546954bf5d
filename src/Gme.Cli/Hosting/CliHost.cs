using Gme.Core;
using Gme.Core.Messaging;
using Gme.Embedder;
using Gme.Indexer;
using Gme.Ingest;
using Gme.Ingest.Sample;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gme.Cli.Hosting;

/// <summary>
/// The embedded profile's composition root: all eight stages in this process on SQLite, the in-memory bus, the
/// embedded index and the local model. Configuration comes from environment variables (e.g. Gme__Collection,
/// Gme__Embedder__ShardMaxItems) and the command line, never from files in the working directory.
/// </summary>
internal static class CliHost
{
    public static IHost BuildPipeline(CommonOptions common, bool sample, Action<IServiceCollection>? configure = null)
    {
        var builder = CreateBuilder(common);
        builder.AddGmeCore();
        builder.AddIngestStages();
        builder.AddEmbedderStages();
        builder.AddIndexerStages();
        if (sample)
        {
            builder.Services.AddSampleImageServer();
        }

        builder.Services.AddGmeBus(GmeProfile.Embedded);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Ledger, model and index only: for status, search and validate, which publish nothing.</summary>
    public static IHost BuildQuery(CommonOptions common)
    {
        var builder = CreateBuilder(common);
        builder.AddGmeCore();
        builder.Services.AddEmbeddingProvider(builder.Configuration);
        builder.Services.AddIndexing(builder.Configuration);
        return builder.Build();
    }

    /// <summary>What makes a host the embedded profile on the chosen data directory (shared with `gme serve`).</summary>
    internal static Dictionary<string, string?> EmbeddedSettings(CommonOptions common) => new()
    {
        [$"{GmeOptions.SectionName}:{nameof(GmeOptions.Profile)}"] = nameof(GmeProfile.Embedded),
        [$"{GmeOptions.SectionName}:{nameof(GmeOptions.DataDirectory)}"] = common.DataDirectory,
    };

    private static HostApplicationBuilder CreateBuilder(CommonOptions common)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "gme",
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(EmbeddedSettings(common));

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(common.Verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);
        return builder;
    }
}
