using System.Diagnostics;
using Gme.Core.Images;
using Gme.Core.Storage;
using Gme.Images;
using Gme.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Ingest;

public sealed class HttpImageFetcherTests : IAsyncLifetime
{
    private static readonly byte[] s_jpeg = TestImages.Jpeg(64, 48);
    private readonly TempDirectory _temp = new();
    private LoopbackServer? _server;
    private int _flakyHits;
    private int _retryAfterHits;
    private int _alwaysFailingHits;

    private LoopbackServer Server => _server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/ok.jpg", () => Results.Bytes(s_jpeg, "image/jpeg"));
            app.MapGet("/copy.jpg", () => Results.Bytes(s_jpeg, "image/jpeg"));
            app.MapGet("/gone.jpg", () => Results.StatusCode(410));
            app.MapGet("/flaky.jpg", () => Interlocked.Increment(ref _flakyHits) == 1
                ? Results.StatusCode(503)
                : Results.Bytes(s_jpeg, "image/jpeg"));
            app.MapGet("/retry-after.jpg", (HttpResponse response) =>
            {
                if (Interlocked.Increment(ref _retryAfterHits) == 1)
                {
                    response.Headers.RetryAfter = "1";
                    return Results.StatusCode(429);
                }

                return Results.Bytes(s_jpeg, "image/jpeg");
            });
            app.MapGet("/always-503.jpg", () =>
            {
                Interlocked.Increment(ref _alwaysFailingHits);
                return Results.StatusCode(503);
            });
            app.MapGet("/page.jpg", () => Results.Text("<!DOCTYPE html><html><body>Not found</body></html>", "image/jpeg"));
            app.MapGet("/big.jpg", async (HttpResponse response, CancellationToken ct) =>
            {
                // Chunked, no Content-Length: the limit must hold while reading, not only from the header.
                response.ContentType = "image/jpeg";
                await response.Body.WriteAsync(s_jpeg, ct);
                var filler = new byte[64 * 1024];
                for (var i = 0; i < 40; i++)
                {
                    await response.Body.WriteAsync(filler, ct);
                }
            });
            app.MapGet("/slow.jpg", async (HttpResponse response, CancellationToken ct) =>
            {
                response.ContentType = "image/jpeg";
                await response.Body.WriteAsync(s_jpeg.AsMemory(0, 100), ct);
                await response.Body.FlushAsync(ct);
                await Task.Delay(TimeSpan.FromSeconds(30), ct);
            });
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Fact]
    public async Task Fetch_Jpeg_IsNormalisedAndStored()
    {
        await using var provider = BuildProvider();
        var fetcher = provider.GetRequiredService<IImageFetcher>();
        var cache = provider.GetRequiredService<IImageCache>();

        var result = await fetcher.FetchAsync(Server.Url("ok.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.False(result.FromCache);
        Assert.Equal((64, 48), (result.Width, result.Height));
        Assert.NotNull(result.Sha256);
        Assert.True(await cache.VerifyAsync(result.Sha256, TestContext.Current.CancellationToken));
        Assert.Equal(result.StoredBytes, new FileInfo(cache.PathFor(result.Sha256)).Length);
    }

    [Fact]
    public async Task Fetch_SameBytesTwice_StoresOneFile()
    {
        await using var provider = BuildProvider();
        var fetcher = provider.GetRequiredService<IImageFetcher>();

        var first = await fetcher.FetchAsync(Server.Url("ok.jpg").AbsoluteUri, TestContext.Current.CancellationToken);
        var second = await fetcher.FetchAsync(Server.Url("copy.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.True(first.Succeeded && second.Succeeded);
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Single(Directory.EnumerateFiles(new DataPaths(_temp.Path).Images, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("missing.jpg", "http_404")]
    [InlineData("gone.jpg", "http_410")]
    public async Task Fetch_NotFound_FailsPermanently(string path, string reason)
    {
        await using var provider = BuildProvider();

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url(path).AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(reason, result.FailureReason);
        Assert.True(result.Permanent);
    }

    [Fact]
    public async Task Fetch_ServiceUnavailableThenOk_SucceedsAfterRetry()
    {
        await using var provider = BuildProvider();

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url("flaky.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(2, _flakyHits);
    }

    [Fact]
    public async Task Fetch_TooManyRequestsWithRetryAfter_WaitsAsAsked()
    {
        await using var provider = BuildProvider();
        var watch = Stopwatch.StartNew();

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url("retry-after.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(2, _retryAfterHits);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {watch.Elapsed}");
    }

    [Fact]
    public async Task Fetch_AlwaysFailing_GivesUpAfterMaxRetriesAsTransient()
    {
        await using var provider = BuildProvider(o => o.MaxRetries = 2);

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url("always-503.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.Equal("http_503", result.FailureReason);
        Assert.False(result.Permanent);
        Assert.Equal(3, _alwaysFailingHits);
    }

    [Fact]
    public async Task Fetch_ServiceDefaultsResilienceHandler_IsNotAddedToTheImageClient()
    {
        await using var provider = BuildProvider(o => o.MaxRetries = 0, services =>
            services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler()));

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url("always-503.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(1, _alwaysFailingHits);
    }

    [Fact]
    public async Task Fetch_HtmlLabelledAsJpeg_IsRejected()
    {
        await using var provider = BuildProvider();

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url("page.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.Equal("not_an_image", result.FailureReason);
        Assert.True(result.Permanent);
    }

    [Fact]
    public async Task Fetch_BodyOverTheLimit_IsRejected()
    {
        await using var provider = BuildProvider(o => o.MaxBodyBytes = 1024 * 1024);

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url("big.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.Equal("body_too_large", result.FailureReason);
        Assert.True(result.Permanent);
    }

    [Fact]
    public async Task Fetch_SlowBody_FailsWithinTheDeadline()
    {
        await using var provider = BuildProvider(o => o.Timeout = TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url("slow.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.Equal("timeout", result.FailureReason);
        Assert.False(result.Permanent);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Fetch_LocalFile_IsReadAndMissingFileIsPermanent()
    {
        await using var provider = BuildProvider();
        var fetcher = provider.GetRequiredService<IImageFetcher>();
        var path = _temp.File("local.png");
        await File.WriteAllBytesAsync(path, TestImages.Png(30, 20), TestContext.Current.CancellationToken);

        var ok = await fetcher.FetchAsync(path, _temp.Path, TestContext.Current.CancellationToken);
        var missing = await fetcher.FetchAsync(_temp.File("absent.jpg"), _temp.Path, TestContext.Current.CancellationToken);

        Assert.True(ok.Succeeded, ok.FailureReason);
        Assert.Equal((30, 20), (ok.Width, ok.Height));
        Assert.Equal("file_not_found", missing.FailureReason);
        Assert.True(missing.Permanent);
    }

    [Fact]
    public void Options_Invalid_FailValidation()
    {
        using var provider = TestServices.WithDataFolder(_temp.Path, [new("Gme:Images:MaxRetries", "99")])
            .AddImageFetching()
            .BuildServiceProvider();

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ImageFetchOptions>>().Value);
    }

    private ServiceProvider BuildProvider(Action<ImageFetchOptions>? configure = null, Action<IServiceCollection>? more = null)
    {
        var services = TestServices.WithDataFolder(_temp.Path)
            .AddImageFetching();
        more?.Invoke(services);
        services.Configure<ImageFetchOptions>(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);

            // The test server is on loopback, which the SSRF guard refuses unless told otherwise.
            o.AllowedPrivateNetworks = ["127.0.0.1/32"];
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }
}
