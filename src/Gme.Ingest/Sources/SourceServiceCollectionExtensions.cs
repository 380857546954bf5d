using Gme.Core.Sources;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Ingest.Sources;

public static class SourceServiceCollectionExtensions
{
    /// <summary>Registers <see cref="DatasetSourceFactory"/> as the <see cref="IDatasetSourceFactory"/>.</summary>
    public static IServiceCollection AddDatasetSources(this IServiceCollection services)
    {
        services.TryAddSingleton<IDatasetSourceFactory, DatasetSourceFactory>();
        return services;
    }
}
