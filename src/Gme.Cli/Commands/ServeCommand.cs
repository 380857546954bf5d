using System.CommandLine;
using System.Net;
using Gme.Cli.Hosting;
using Gme.Core;
using Gme.Search.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gme.Cli.Commands;

/// <summary>`gme serve`: the search page and API on 127.0.0.1, in the embedded profile, over the local data directory.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 5080 };
        var command = new Command("serve", "Serve the search page and API (http://127.0.0.1:PORT)");
        command.Options.Add(port);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var common = GmeCommandLine.Common(result);
            common.RequireExistingData();
            common = CollectionDefaults.ForQuery(common);
            var requested = result.GetValue(port);
            if (requested is < 0 or > 65535)
            {
                throw new CliException($"--port {requested} is not a port (0-65535)");
            }

            await using var app = Build(common, requested);
            await app.StartAsync(ct);
            await app.Services.GetRequiredService<Gme.Core.Runs.RunStarter>().RefuseModelChangeAsync(ct);
            Console.WriteLine($"Gme search at {string.Join(", ", app.Urls)} (Ctrl+C to stop)");
            await app.WaitForShutdownAsync(ct);
            return 0;
        }));
        return command;
    }

    internal static WebApplication Build(CommonOptions common, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "gme",
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(CliHost.EmbeddedSettings(common));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(common.Verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        builder.AddGmeCore();
        builder.AddSearchService();
        var app = builder.Build();
        app.MapSearchService();
        return app;
    }
}
