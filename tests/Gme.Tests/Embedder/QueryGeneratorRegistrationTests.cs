using Gme.Core.Embeddings;
using Gme.Core.Storage;
using Gme.Gemini;
using Gme.Onnx;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Embedder;

/// <summary>The query side as registered for hosts: Microsoft.Extensions.AI generators keyed by the vector space they fill.</summary>
public sealed class QueryGeneratorRegistrationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "gme-query-di-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Local_TextAndImageGenerators_ResolveKeyedBySpaceWithTheirSizes()
    {
        using var services = Build(new(), s => s.AddLocalEmbeddingProvider());

        var text = services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(LocalOnnxProvider.TextSpace);
        var image = services.GetRequiredKeyedService<IEmbeddingGenerator<DataContent, Embedding<float>>>(LocalOnnxProvider.ImageSpace);

        AssertMetadata(text.GetService<EmbeddingGeneratorMetadata>(), "local", LocalOnnxProvider.ModelFor(new LocalModelOptions().TextModel), 384);
        AssertMetadata(image.GetService<EmbeddingGeneratorMetadata>(), "local", LocalOnnxProvider.ModelFor(new LocalModelOptions().TextModel), 512);
        var queries = services.GetRequiredService<QueryEmbedders>();
        Assert.Same(text, queries[LocalOnnxProvider.TextSpace].Text);
        Assert.Same(image, queries[LocalOnnxProvider.ImageSpace].Image);
        Assert.Null(services.GetKeyedService<IEmbeddingGenerator<DataContent, Embedding<float>>>(LocalOnnxProvider.TextSpace));
    }

    [Fact]
    public void Gemini_TextImageAndFusedGenerators_ResolveKeyedByTheProductSpace()
    {
        using var services = Build(
            new() { ["GEMINI_API_KEY"] = "test-key", ["Gme:Gemini:OutputDimensionality"] = "768" },
            (s, c) => s.AddGeminiEmbeddingProvider(c));

        var space = GeminiEmbeddingProvider.ProductSpace;
        var text = services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(space);
        var image = services.GetRequiredKeyedService<IEmbeddingGenerator<DataContent, Embedding<float>>>(space);
        var both = services.GetRequiredKeyedService<IEmbeddingGenerator<IReadOnlyList<AIContent>, Embedding<float>>>(space);

        foreach (var metadata in new[] { text.GetService<EmbeddingGeneratorMetadata>(), image.GetService<EmbeddingGeneratorMetadata>(), both.GetService<EmbeddingGeneratorMetadata>() })
        {
            AssertMetadata(metadata, "gemini", "gemini/gemini-embedding-2@768", 768);
        }

        Assert.Equal(Modality.Text | Modality.Image, services.GetRequiredService<QueryEmbedders>()[space].Accepts);
    }

    [Fact]
    public async Task Local_TextGenerator_WorksInsideAnEmbeddingPipeline()
    {
        var ct = TestContext.Current.CancellationToken;
        using var services = Build(new(), s => s.AddLocalEmbeddingProvider());
        var inner = services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(LocalOnnxProvider.TextSpace);
        using var counting = new CountingGenerator(inner);

        var vector = await counting.GenerateVectorAsync("red summer dress", cancellationToken: ct);
        var direct = await inner.GenerateVectorAsync("red summer dress", cancellationToken: ct);

        Assert.Equal(1, counting.Calls);
        Assert.Equal(384, vector.Length);
        VectorAssert.UnitLength(vector.ToArray(), 384);
        Assert.Equal(direct.ToArray(), vector.ToArray());
        Assert.Same(counting, counting.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
        AssertMetadata(counting.GetService<EmbeddingGeneratorMetadata>(), "local", LocalOnnxProvider.ModelFor(new LocalModelOptions().TextModel), 384);
        await Assert.ThrowsAsync<ArgumentException>(() =>
            counting.GenerateAsync(["dress"], new EmbeddingGenerationOptions { Dimensions = 128 }, ct));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static void AssertMetadata(EmbeddingGeneratorMetadata? metadata, string provider, string model, int dimensions)
    {
        Assert.NotNull(metadata);
        Assert.Equal(provider, metadata.ProviderName);
        Assert.Equal(model, metadata.DefaultModelId);
        Assert.Equal(dimensions, metadata.DefaultModelDimensions);
    }

    private ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection> register) =>
        Build(settings, (s, _) => register(s));

    private ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> register)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(new DataPaths(_root))
            .AddLogging();
        register(services, configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>A middleware of the kind .NET AI pipelines stack (telemetry, caching): counts the calls it passes on.</summary>
    private sealed class CountingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public int Calls { get; private set; }

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return base.GenerateAsync(values, options, cancellationToken);
        }
    }
}
