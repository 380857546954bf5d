using Gme.Core.Storage;
using Gme.Images;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Bench.Images;

/// <summary>The production image services (fetcher, SSRF guard, limiter, normaliser, cache) over a temp data folder.</summary>
internal static class BenchServices
{
    public static ServiceProvider Build(string dataDirectory, Action<ImageFetchOptions>? configure = null)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddSingleton(new DataPaths(dataDirectory))
            .AddImageFetching();
        services.Configure<ImageFetchOptions>(o => configure?.Invoke(o));
        return services.BuildServiceProvider();
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gme-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
