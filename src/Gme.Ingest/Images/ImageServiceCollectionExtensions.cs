using System.Net;
using Gme.Core.Images;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Ingest.Images;

public static class ImageServiceCollectionExtensions
{
    /// <summary>
    /// The image cache (under <c>DataPaths.Images</c>; a <see cref="Gme.Core.Storage.DataPaths"/> must be registered),
    /// the normaliser, the fetcher, its named HTTP client and <see cref="ImageFetchOptions"/> (section
    /// <c>Gme:Images</c>, validated on start).
    /// </summary>
    public static IServiceCollection AddImageFetching(this IServiceCollection services)
    {
        services.AddOptions<ImageFetchOptions>()
            .BindConfiguration(ImageFetchOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IImageCache, ImageCache>();
        services.TryAddSingleton<ImageNormalizer>();
        services.TryAddSingleton<IImageFetcher, HttpImageFetcher>();

        // The fetcher retries and times out by itself, so the resilience handler that service defaults add to every
        // client is removed here: two retry layers would multiply attempts and fight over the deadline.
#pragma warning disable EXTEXP0001 // Experimental, but the only way to opt one client out of ConfigureHttpClientDefaults.
        services.AddHttpClient(HttpImageFetcher.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(CreatePrimaryHandler)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return services;
    }

    /// <summary>
    /// The one place the image client's transport is configured (connection limits, HTTP/2, and later the SSRF
    /// guard's connect callback belong here).
    /// </summary>
    internal static SocketsHttpHandler CreatePrimaryHandler() => new()
    {
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 5,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        UseCookies = false,
    };
}
