using Gme.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Support;

/// <summary>
/// The services the components under test expect from their host (logging, configuration, the data folder), so a test
/// registers only the component itself on top.
/// </summary>
internal static class TestServices
{
    public static IServiceCollection WithDataFolder(string dataPath, IEnumerable<KeyValuePair<string, string?>>? configuration = null)
    {
        var builder = new ConfigurationBuilder();
        if (configuration is not null)
        {
            builder.AddInMemoryCollection(configuration);
        }

        return new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(builder.Build())
            .AddSingleton(new DataPaths(dataPath));
    }
}
