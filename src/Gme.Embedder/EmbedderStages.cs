using Gme.Core;
using Gme.Core.Messaging;
using Gme.Embedder.Batches;
using Gme.Embedder.Gemini;
using Gme.Embedder.Local;
using Gme.Embedder.Shards;

namespace Gme.Embedder;

public static class EmbedderStages
{
    /// <summary>
    /// Stages 3-5 (build shards, submit, collect) and the embedding provider named by <c>Gme:Provider</c>.
    /// The same call serves the Embedder service and the one-process embedded profile.
    /// </summary>
    public static IHostApplicationBuilder AddEmbedderStages(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmbedderOptions>().BindConfiguration(EmbedderOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddEmbeddingProvider(builder.Configuration);
        services.AddHostedService<PendingJobPoller>();
        services.AddBusContribution(x =>
        {
            x.AddConsumer<BuildShardsConsumer>(typeof(BuildShardsConsumerDefinition));
            x.AddConsumer<SubmitShardConsumer>(typeof(SubmitShardConsumerDefinition));
            x.AddConsumer<CollectShardConsumer>();
            x.AddConsumer<ReleaseRemoteJobConsumer>();
            x.AddConsumer<RemoteStorageSweepConsumer>();
        });
        return builder;
    }

    /// <summary>The provider the configuration names; query-only hosts (search) use this alone.</summary>
    public static IServiceCollection AddEmbeddingProvider(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration[$"{GmeOptions.SectionName}:{nameof(GmeOptions.Provider)}"] ?? "local";
        switch (provider.ToLowerInvariant())
        {
            case "local":
                services.AddLocalEmbeddingProvider();
                break;
            case GeminiEmbeddingProvider.ProviderName:
                services.AddGeminiEmbeddingProvider(configuration);
                break;
            default:
                throw new InvalidOperationException($"Unknown embedding provider '{provider}' (Gme:Provider). Known: local, gemini.");
        }

        return services;
    }
}
