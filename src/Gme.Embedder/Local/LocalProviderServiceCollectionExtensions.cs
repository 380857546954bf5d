using Gme.Core.Embeddings;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Embedder.Local;

public static class LocalProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LocalOnnxProvider"/> as a singleton (also as <see cref="IEmbeddingProvider"/>) with its
    /// options from <c>Gme:LocalModel</c>, validated on start. Needs <see cref="Gme.Core.Storage.DataPaths"/> registered.
    /// The models load on first use, not here.
    /// </summary>
    public static IServiceCollection AddLocalEmbeddingProvider(this IServiceCollection services)
    {
        services.AddOptions<LocalModelOptions>()
            .BindConfiguration(LocalModelOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<LocalOnnxProvider>();
        services.AddSingleton<IEmbeddingProvider>(sp => sp.GetRequiredService<LocalOnnxProvider>());
        return services;
    }
}
