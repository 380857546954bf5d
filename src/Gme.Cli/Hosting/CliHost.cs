using Gme.Cli.Output;
using Gme.Core;
using Gme.Core.Messaging;
using Gme.Pipeline;
using Gme.Sources.Sample;
using MassTransit;
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

        // A run that ends (failed, paused, interrupted) abandons what is queued on the in-memory bus (the ledger
        // re-announces it on the next `gme run`) and cancels what consumers are doing: MassTransit cancels each
        // consumer's token after ConsumerStopTimeout and gives up on the bus after StopTimeout, instead of letting
        // in-flight chunks run (and download) for minutes after the run's error was printed.
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.ConsumerStopTimeout = ConsumerStopTimeout;
            o.StopTimeout = BusStopTimeout;
        });
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>How long in-flight consumers get to finish before their cancellation token fires.</summary>
    internal static readonly TimeSpan ConsumerStopTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long the bus gets to stop.</summary>
    internal static readonly TimeSpan BusStopTimeout = TimeSpan.FromSeconds(4);

    /// <summary>
    /// The most a command waits for its host to stop and be disposed; past it the command answers anyway and the
    /// process exits (Program.cs), abandoning what still runs. Keeps every exit within 10 s of its last line.
    /// </summary>
    internal static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(6);

    /// <summary>Stops and disposes the host within <see cref="ShutdownBudget"/>; true when it finished in time.</summary>
    public static async Task<bool> ShutDownAsync(IHost host)
    {
        host.Services.GetService<CliShutdown>()?.Begin();
        var shutdown = Task.Run(async () =>
        {
            using var stopping = new CancellationTokenSource(BusStopTimeout + TimeSpan.FromSeconds(1));
            try
            {
                await host.StopAsync(stopping.Token);
            }
            finally
            {
                if (host is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync();
                }
                else
                {
                    host.Dispose();
                }
            }
        });
        var finished = await Task.WhenAny(shutdown, Task.Delay(ShutdownBudget)) == shutdown;
        if (finished)
        {
            await shutdown; // surfaces a failed stop
        }

        return finished;
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
    internal static Dictionary<string, string?> EmbeddedSettings(CommonOptions common)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"{GmeOptions.SectionName}:{nameof(GmeOptions.Profile)}"] = nameof(GmeProfile.Embedded),
            [$"{GmeOptions.SectionName}:{nameof(GmeOptions.DataDirectory)}"] = common.DataDirectory,
        };
        if (common.Collection is not null)
        {
            // Over Gme__Collection from the environment: the command line names the catalogue for this command.
            settings[$"{GmeOptions.SectionName}:{nameof(GmeOptions.Collection)}"] = common.Collection;
        }

        return settings;
    }

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

        // The CLI owns Ctrl-C and SIGTERM (CliInterrupt); the console lifetime would swallow them.
        builder.Services.AddSingleton<IHostLifetime, CliLifetime>();
        builder.Services.AddSingleton<CliShutdown>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = BusStopTimeout + TimeSpan.FromSeconds(1));

        // One line per entry on standard error; stack traces only with --verbose (CliLogFormatter).
        builder.Logging.AddConsole(o =>
        {
            o.FormatterName = CliLogFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        builder.Logging.AddConsoleFormatter<CliLogFormatter, CliLogFormatterOptions>(o => o.Verbose = common.Verbose);
        builder.Logging.SetMinimumLevel(common.Verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);
        return builder;
    }
}
