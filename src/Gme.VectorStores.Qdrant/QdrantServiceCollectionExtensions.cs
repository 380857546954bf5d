using Gme.Core.Lexical;
using Gme.Core.Vectors;
using Microsoft.Extensions.Options;
using Qdrant.Client.Grpc;

namespace Gme.VectorStores.Qdrant;

public static class QdrantServiceCollectionExtensions
{
    /// <summary>Registers <see cref="QdrantVectorStore"/> as the singleton <see cref="IVectorStore"/>, with its options validated on start.</summary>
    public static IServiceCollection AddQdrantVectorStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<QdrantOptions>().BindConfiguration(QdrantOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();

            // The AppHost references Qdrant's gRPC endpoint, which arrives as a service-discovery entry.
            var connection = QdrantConnection.Resolve(
                sp.GetRequiredService<IOptions<QdrantOptions>>().Value,
                configuration.GetConnectionString(QdrantConnection.ConnectionStringName)
                    ?? configuration[$"services:{QdrantConnection.ConnectionStringName}:grpc:0"]);
            return new QdrantGrpcClient(connection.Endpoint, connection.ApiKey);
        });
        services.AddLexicalEncoder();
        services.AddSingleton<QdrantVectorStore>();
        services.AddSingleton<IVectorStore>(sp => sp.GetRequiredService<QdrantVectorStore>());
        return services;
    }
}
