using Gme.Gemini;
using Gme.Images;
using Gme.Sources;
using Gme.Sources.HuggingFace;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gme.Tests.Core;

/// <summary>
/// Each HTTP client has one retry layer: the clients that retry by themselves (Gemini, images, HuggingFace Hub) get
/// no resilience handler from the pipeline, even in a service that adds the service defaults (which used to give every
/// client the standard resilience handler, stacked on the client's own loop).
/// </summary>
public sealed class HttpClientRetryPolicyTests
{
    [Theory]
    [InlineData(GeminiClient.HttpClientName)]
    [InlineData(HttpImageFetcher.HttpClientName)]
    [InlineData(HuggingFaceHubClient.HttpClientName)]
    public void ClientWithItsOwnRetryLoop_HasNoResilienceHandler(string clientName)
    {
        using var services = BuildServices();

        var handlers = Chain(services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(clientName));

        Assert.DoesNotContain(handlers, h => h.GetType().FullName!.StartsWith("Microsoft.Extensions.Http.Resilience", StringComparison.Ordinal)
            || h.GetType().FullName!.StartsWith("Polly", StringComparison.Ordinal));
        Assert.True(handlers[^1] is SocketsHttpHandler or HttpClientHandler, handlers[^1].GetType().Name); // a real transport ends the chain
    }

    [Fact]
    public void GeminiClient_IsOneSingletonOverAHandlerTheFactoryNeverRotates()
    {
        using var services = BuildServices();

        Assert.Same(services.GetRequiredService<GeminiClient>(), services.GetRequiredService<GeminiClient>());
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.Extensions.Http.HttpClientFactoryOptions>>()
            .Get(GeminiClient.HttpClientName);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.HandlerLifetime);
        var transport = Assert.IsType<SocketsHttpHandler>(Chain(services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(GeminiClient.HttpClientName))[^1]);
        Assert.True(transport.PooledConnectionLifetime > TimeSpan.Zero); // connections recycled (InfiniteTimeSpan is negative)
    }

    private static ServiceProvider BuildServices()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "gme-tests" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gme:Gemini:ApiKey"] = "test-key" });
        builder.AddServiceDefaults();
        builder.Services.AddSingleton(new Gme.Core.Storage.DataPaths(Path.GetTempPath()));
        builder.Services.AddImageFetching();
        builder.Services.AddDatasetSources();
        builder.Services.AddGeminiEmbeddingProvider(builder.Configuration);
        return builder.Services.BuildServiceProvider();
    }

    private static List<HttpMessageHandler> Chain(HttpMessageHandler handler)
    {
        var chain = new List<HttpMessageHandler> { handler };
        while (chain[^1] is DelegatingHandler { InnerHandler: { } inner })
        {
            chain.Add(inner);
        }

        return chain;
    }
}
