using System.Net;
using Gme.Core.Images;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gme.Images;

public static class ImageServiceCollectionExtensions
{
    /// <summary>
    /// The image cache (under <c>DataPaths.Images</c>; a <see cref="Gme.Core.Storage.DataPaths"/> must be registered),
    /// the normaliser, the fetcher, its named HTTP client with the SSRF guard, the process-wide download limiter and
    /// <see cref="ImageFetchOptions"/> (section <c>Gme:Images</c>, validated on start).
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
        services.TryAddSingleton<IDnsResolver, SystemDnsResolver>();
        services.TryAddSingleton<NetworkGuard>();
        services.TryAddSingleton<DownloadLimiter>();
        services.TryAddSingleton<IImageFetcher, HttpImageFetcher>();

        // Retry policy: the fetcher's own loop (HttpImageFetcher: MaxRetries, exponential backoff with jitter,
        // Retry-After, one deadline per image over every attempt and the body), and no resilience pipeline: the loop
        // has to see each attempt to re-check redirects through the SSRF guard and to release its download permit
        // during a backoff wait, which a handler below it cannot do. GETs only, so a retry never creates anything.
        // The fetcher asks the factory for a client per image, so handler rotation works (no captured client).
        // RemoveAllResilienceHandlers keeps it so should a host add a default handler to every client again.
#pragma warning disable EXTEXP0001 // Experimental, but the only way to opt one client out of ConfigureHttpClientDefaults.
        services.AddHttpClient(HttpImageFetcher.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => CreatePrimaryHandler(
                sp.GetRequiredService<NetworkGuard>(), sp.GetRequiredService<IOptions<ImageFetchOptions>>().Value))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return services;
    }

    /// <summary>
    /// The one place the image client's transport is configured. The connect callback is the SSRF guard; redirects
    /// are the fetcher's job (each hop re-checked); no proxy, since a proxy would resolve and connect on our behalf
    /// past the guard.
    /// </summary>
    internal static SocketsHttpHandler CreatePrimaryHandler(NetworkGuard guard, ImageFetchOptions options) => new()
    {
        ConnectCallback = guard.ConnectAsync,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
        EnableMultipleHttp2Connections = true,
        MaxConnectionsPerServer = options.MaxConcurrencyPerHost,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = options.ConnectTimeout,
        UseCookies = false,
    };
}
