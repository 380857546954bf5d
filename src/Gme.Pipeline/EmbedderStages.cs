using Gme.Core;
using Gme.Core.Messaging;
using Gme.Gemini;
using Gme.Onnx;
using Gme.Pipeline.Stages;

namespace Gme.Pipeline;

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
        services.AddSingleton<ShardRequestFiles>();
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
                // A batch API wants thousands of items per shard: unless Gme:Embedder:ShardMaxItems is set,
                // stage 3 cuts shards of GeminiOptions.MaxLinesPerShard.
                if (configuration[$"{EmbedderOptions.SectionName}:{nameof(EmbedderOptions.ShardMaxItems)}"] is null)
                {
                    services.AddOptions<EmbedderOptions>().PostConfigure<Microsoft.Extensions.Options.IOptions<GeminiOptions>>(
                        (o, gemini) => o.ShardMaxItems = gemini.Value.MaxLinesPerShard);
                }
                break;
            default:
                throw new InvalidOperationException($"Unknown embedding provider '{provider}' (Gme:Provider). Known: local, gemini.");
        }

        return services;
    }
}
