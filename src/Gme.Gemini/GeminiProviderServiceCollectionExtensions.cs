using Microsoft.Extensions.DependencyInjection.Extensions;
using Gme.Core.Embeddings;

namespace Gme.Gemini;

public static class GeminiProviderServiceCollectionExtensions
{
    /// <summary>The environment variable Google's tools read the key from.</summary>
    public const string ApiKeyVariable = "GEMINI_API_KEY";

    /// <summary>
    /// Registers the Gemini provider (batch side as <see cref="IEmbeddingProvider"/>; query side as
    /// <see cref="QueryEmbedders"/> and as text, image and text-and-image generators keyed <c>product</c>), its REST client, admission and spend ledger, with options from <c>Gme:Gemini</c>
    /// (key from <c>Gme:Gemini:ApiKey</c>, user-secrets or <c>GEMINI_API_KEY</c>). Unless <c>Gme:Embedder:ShardMaxItems</c>
    /// is set, stage 3 cuts shards of <see cref="GeminiOptions.MaxLinesPerShard"/>: a batch API wants thousands of items.
    /// </summary>
    public static IServiceCollection AddGeminiEmbeddingProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GeminiOptions>()
            .BindConfiguration(GeminiOptions.SectionName)
            .PostConfigure(o => o.ApiKey = string.IsNullOrWhiteSpace(o.ApiKey) ? configuration[ApiKeyVariable] : o.ApiKey)
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), $"the Gemini provider needs an API key: set {ApiKeyVariable} or Gme:Gemini:ApiKey")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        AddGeminiHttpClient(services);
        services.TryAddSingleton<GeminiRequestBudget>();
        services.TryAddSingleton<GeminiAdmission>();
        services.TryAddSingleton<GeminiSpendLedger>();
        services.TryAddSingleton<GeminiEmbeddingProvider>();
        services.AddSingleton<IEmbeddingProvider>(sp => sp.GetRequiredService<GeminiEmbeddingProvider>());
        services.AddSingleton(sp => sp.GetRequiredService<GeminiEmbeddingProvider>().Queries);
        services.AddKeyedSingleton(GeminiEmbeddingProvider.ProductSpace, (sp, _) => Product(sp).Text!);
        services.AddKeyedSingleton(GeminiEmbeddingProvider.ProductSpace, (sp, _) => Product(sp).Image!);
        services.AddKeyedSingleton(GeminiEmbeddingProvider.ProductSpace, (sp, _) => Product(sp).TextAndImage!);
        return services;
    }

    /// <summary>
    /// Retry policy: <see cref="GeminiClient"/>'s own loop (safe calls only: GETs, DELETEs and resumable-upload
    /// chunks/queries, <c>MaxSafeAttempts</c> with <c>SafeRetryBaseDelay</c>; a batch create is never repeated without
    /// listing first), and no resilience pipeline: a pipeline would multiply those attempts, replay creates that may
    /// have succeeded, and its per-attempt timeout would cut 8 MiB upload chunks off.
    /// The client lives in a singleton provider, so it is a singleton too, built once from the named client with a
    /// handler the factory never rotates; the <see cref="SocketsHttpHandler"/> recycles its connections every few
    /// minutes instead (PooledConnectionLifetime), which keeps DNS fresh without a captured, expired typed client.
    /// </summary>
    private static void AddGeminiHttpClient(IServiceCollection services)
    {
        // One request (up to its response headers) may take 5 minutes: long enough for an 8 MiB upload chunk on a slow
        // link, short enough that a dead connection fails into the client's retry loop rather than hanging a stage.
        services.AddHttpClient(GeminiClient.HttpClientName, client => client.Timeout = TimeSpan.FromMinutes(5))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                UseCookies = false,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<GeminiClient>(
            sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient(GeminiClient.HttpClientName)));
    }

    private static QuerySpace Product(IServiceProvider services) =>
        services.GetRequiredService<QueryEmbedders>()[GeminiEmbeddingProvider.ProductSpace];
}
