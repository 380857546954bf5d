using Gme.Core.Sources;
using Gme.Sources.HuggingFace;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Sources;

public static class SourceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DatasetSourceFactory"/> as the <see cref="IDatasetSourceFactory"/>, with the HuggingFace
    /// Hub client (options section <c>Gme:HuggingFace</c>; needs a <see cref="Gme.Core.Storage.DataPaths"/> for its cache).
    /// </summary>
    public static IServiceCollection AddDatasetSources(this IServiceCollection services)
    {
        services.AddOptions<HuggingFaceOptions>()
            .BindConfiguration(HuggingFaceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HuggingFaceHubClient>();
        services.TryAddSingleton<IDatasetSourceFactory, DatasetSourceFactory>();

        // Retry policy: the Hub client's own loop (MaxAttempts per file, exponential backoff, each attempt resuming the
        // .part file with an HTTP Range request), and no resilience pipeline: a pipeline's total-request timeout would
        // cut a large file off and its retries would restart it from byte zero. GETs only. The client asks the factory
        // for an HttpClient per call, so the singleton holds no client and handler rotation works.
        // RemoveAllResilienceHandlers keeps it so should a host add a default handler to every client again.
#pragma warning disable EXTEXP0001 // Experimental, but the only way to opt one client out of ConfigureHttpClientDefaults.
        services.AddHttpClient(HuggingFaceHubClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return services;
    }
}
