using Gme.Core.Embeddings;
using Gme.Core.Storage;
using Gme.Onnx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gme.Tests.Embedder;

public sealed class LocalProviderServiceCollectionExtensionsTests
{
    [Fact]
    public void AddLocalEmbeddingProvider_ValidOptions_ResolvesOneSingletonWithoutLoadingModels()
    {
        using var services = Build(new Dictionary<string, string?> { ["Gme:LocalModel:TextBatchSize"] = "8" });

        var provider = services.GetRequiredService<IEmbeddingProvider>();

        Assert.Same(services.GetRequiredService<LocalOnnxProvider>(), provider);
        Assert.Equal("local", provider.Name);
        Assert.Equal(8, services.GetRequiredService<IOptions<LocalModelOptions>>().Value.TextBatchSize);
    }

    [Fact]
    public void AddLocalEmbeddingProvider_InvalidOptions_FailsValidation()
    {
        using var services = Build(new Dictionary<string, string?> { ["Gme:LocalModel:MaxTokens"] = "1000" });

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IEmbeddingProvider>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddSingleton(new DataPaths(Path.Combine(Path.GetTempPath(), "gme-onnx-di")))
            .AddLogging()
            .AddLocalEmbeddingProvider()
            .BuildServiceProvider();
}
