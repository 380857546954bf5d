using Gme.Images;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Sources.Sample;

public static class SampleServiceCollectionExtensions
{
    /// <summary>
    /// Sample mode: runs the <see cref="SampleImageServer"/> (singleton and hosted service) and routes the image
    /// client's requests for the sample host to it. Call alongside <see cref="ImageServiceCollectionExtensions.AddImageFetching"/>.
    /// </summary>
    public static IServiceCollection AddSampleImageServer(this IServiceCollection services)
    {
        services.TryAddSingleton<SampleImageServer>();
        services.AddHostedService(sp => sp.GetRequiredService<SampleImageServer>());
        services.TryAddTransient<SampleHostRewriteHandler>();
        services.AddHttpClient(HttpImageFetcher.HttpClientName).AddHttpMessageHandler<SampleHostRewriteHandler>();
        return services;
    }
}
