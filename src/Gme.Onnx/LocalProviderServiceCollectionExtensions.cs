using Gme.Core.Embeddings;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Onnx;

public static class LocalProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LocalOnnxProvider"/> as a singleton (also as <see cref="IEmbeddingProvider"/>, its query side as
    /// <see cref="QueryEmbedders"/> and generators keyed <c>text</c> and <c>image</c>) with its
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
        services.AddSingleton(sp => sp.GetRequiredService<LocalOnnxProvider>().Queries);
        services.AddKeyedSingleton(LocalOnnxProvider.TextSpace, (sp, _) => sp.GetRequiredService<QueryEmbedders>()[LocalOnnxProvider.TextSpace].Text!);
        services.AddKeyedSingleton(LocalOnnxProvider.ImageSpace, (sp, _) => sp.GetRequiredService<QueryEmbedders>()[LocalOnnxProvider.ImageSpace].Image!);
        return services;
    }
}
