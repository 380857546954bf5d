using Gme.Core.Messaging;
using Gme.Pipeline.Quality;
using Gme.Pipeline.Search;
using Gme.Pipeline.Stages;
using Gme.VectorStores.Embedded;
using Gme.VectorStores.Qdrant;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Pipeline;

public static class IndexerStages
{
    /// <summary>
    /// Stages 6-8 (init collection, upsert vectors, validate) and the removal of products a snapshot no longer holds, with the vector store named by
    /// <c>Gme:Indexer:VectorStore</c>. The same call serves the Indexer service and the embedded profile.
    /// </summary>
    public static IHostApplicationBuilder AddIndexerStages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddIndexing(builder.Configuration);
        builder.Services.AddBusContribution(x =>
        {
            x.AddConsumer<InitCollectionConsumer>();
            x.AddConsumer<UpsertVectorsConsumer>();
            x.AddConsumer<RemoveProductsConsumer>();
            x.AddConsumer<ValidateRunConsumer>(typeof(ValidateRunConsumerDefinition));
        });
        return builder;
    }

    /// <summary>The vector store, search and validation without the consumers (for `gme search`, `gme validate`).</summary>
    public static IServiceCollection AddIndexing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IndexerOptions>().BindConfiguration(IndexerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var store = configuration[$"{IndexerOptions.SectionName}:{nameof(IndexerOptions.VectorStore)}"] ?? "embedded";
        switch (store.ToLowerInvariant())
        {
            case "embedded":
                services.AddEmbeddedVectorStore();
                break;
            case "qdrant":
                services.AddQdrantVectorStore();
                break;
            default:
                throw new InvalidOperationException($"Unknown vector store '{store}' (Gme:Indexer:VectorStore). Known: embedded, qdrant.");
        }

        services.AddSingleton<CollectionInitializer>();
        services.AddSingleton<ProductSearch>();
        services.AddSingleton<Evaluation.SearchEvaluator>();
        services.AddSingleton<RunValidator>();

        // The seam for the eval-based gate (issue 13 item 4): registered before this call, it wins over the default.
        services.AddOptions<QualityGateOptions>().Bind(configuration.GetSection(QualityGateOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ValidationOnlyQualityGate>();
        services.TryAddSingleton<IQualityGate, EvalQualityGate>();
        services.AddSingleton<Versions.IndexVersions>();
        services.AddSingleton<Doctor.DataDirDoctor>();
        return services;
    }
}
