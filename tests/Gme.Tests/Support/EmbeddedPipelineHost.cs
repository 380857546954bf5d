using Gme.Core;
using Gme.Core.Messaging;
using Gme.Pipeline;
using Gme.Sources.Sample;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gme.Tests.Support;

/// <summary>
/// The embedded composition of `gme run` (all stages in one process, in-memory bus, sample image server) in a test,
/// with the test's own settings instead of the CLI's environment variables.
/// </summary>
internal static class EmbeddedPipelineHost
{
    public static IHost Build(string dataDirectory, IDictionary<string, string?> settings, Action<ILoggingBuilder>? logging = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "gme-tests" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gme:Profile"] = nameof(GmeProfile.Embedded),
            ["Gme:DataDirectory"] = dataDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        logging?.Invoke(builder.Logging);
        builder.AddGmeCore();
        builder.AddIngestStages();
        builder.AddEmbedderStages();
        builder.AddIndexerStages();
        builder.Services.AddSampleImageServer();
        builder.Services.AddGmeBus(GmeProfile.Embedded);
        services?.Invoke(builder.Services);
        return builder.Build();
    }
}
