using Gme.Core.Lexical;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

public static class EmbeddedVectorStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EmbeddedVectorStore"/> as the singleton <see cref="IVectorStore"/>. Needs
    /// <see cref="Gme.Core.Storage.DataPaths"/> and logging registered.
    /// </summary>
    public static IServiceCollection AddEmbeddedVectorStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLexicalEncoder();
        services.AddSingleton<EmbeddedVectorStore>();
        services.AddSingleton<IVectorStore>(sp => sp.GetRequiredService<EmbeddedVectorStore>());
        return services;
    }
}
