using System.Net;
using Gme.Core.Images;
using Gme.Images;
using Gme.Sources.Sample;
using Gme.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gme.Tests.Ingest;

public sealed class SampleImageServerTests
{
    [Fact]
    public async Task RewriteHandler_StableSampleUrl_ServesTheRenderedJpeg()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new SampleImageServer(10);
        // The SSRF guard refuses loopback by default: the handler must let exactly the sample server through.
        var guard = new NetworkGuard(Options.Create(new ImageFetchOptions()), new SystemDnsResolver(), NullLogger<NetworkGuard>.Instance);
        using var client = new HttpClient(new SampleHostRewriteHandler(server, guard) { InnerHandler = new SocketsHttpHandler { ConnectCallback = guard.ConnectAsync } });
        var product = SampleCatalogue.Product(3);

        using var response = await client.GetAsync(product.ImageUrl, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SampleImageRenderer.Render(product), await response.Content.ReadAsByteArrayAsync(ct));
        Assert.Equal(IPAddress.Loopback.ToString(), server.BaseAddress.Host);
    }

    [Theory]
    [InlineData("images/S000011.jpg")]
    [InlineData("images/S000001.png")]
    [InlineData("images/nope.jpg")]
    [InlineData("other")]
    public async Task Server_UnknownImage_Answers404(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new SampleImageServer(10);
        var baseAddress = await server.EnsureStartedAsync(ct);
        using var client = new HttpClient();

        using var response = await client.GetAsync(new Uri(baseAddress, path), ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AddSampleImageServer_FetcherDownloadsSampleUrlsThroughTheServer()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        var services = TestServices.WithDataFolder(temp.Path)
            .AddImageFetching()
            .AddSampleImageServer();
        await using var provider = services.BuildServiceProvider();
        var fetcher = provider.GetRequiredService<IImageFetcher>();

        var result = await fetcher.FetchAsync(SampleCatalogue.Product(1).ImageUrl, ct);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(SampleImageRenderer.Size, result.Width);
        Assert.NotNull(result.Sha256);
        Assert.True(File.Exists(provider.GetRequiredService<IImageCache>().PathFor(result.Sha256)));
    }
}
