using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Gme.Core.Images;
using Gme.Images;
using Gme.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Ingest;

/// <summary>
/// The fetcher against a misbehaving server on loopback: latency, rate limits, 5xx, resets, slow and endless bodies,
/// redirect chains and loops, redirects to private addresses, lying content types, broken images and bombs. The
/// server is let through the SSRF guard as one exact endpoint, so a redirect to anything else on loopback (the
/// canary) is still refused.
/// </summary>
public sealed class HostileServerTests : IAsyncLifetime
{
    private static readonly byte[] s_jpeg = TestImages.Jpeg(40, 30);
    private readonly TempDirectory _temp = new();
    private readonly CanaryListener _canary = new(IPAddress.Loopback);
    private LoopbackServer? _server;
    private int _tooManyHits;
    private int _serverErrorHits;
    private int _inFlight;
    private int _maxInFlight;

    private LoopbackServer Server => _server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        var gzipBomb = GzipOfZeros(8 * 1024 * 1024);
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/latency.jpg", async (int ms, CancellationToken ct) =>
            {
                await Task.Delay(ms, ct);
                return Results.Bytes(s_jpeg, "image/jpeg");
            });
            app.MapGet("/429.jpg", () => Interlocked.Increment(ref _tooManyHits) == 1 ? Results.StatusCode(429) : Results.Bytes(s_jpeg, "image/jpeg"));
            app.MapGet("/500.jpg", () => Interlocked.Increment(ref _serverErrorHits) <= 2 ? Results.StatusCode(500) : Results.Bytes(s_jpeg, "image/jpeg"));
            app.MapGet("/reset.jpg", (HttpContext context) =>
            {
                context.Abort();
                return Results.Empty;
            });
            app.MapGet("/endless.jpg", async (HttpResponse response, CancellationToken ct) =>
            {
                response.ContentType = "image/jpeg";
                var filler = new byte[64 * 1024];
                while (!ct.IsCancellationRequested)
                {
                    await response.Body.WriteAsync(filler, ct);
                }
            });
            app.MapGet("/drip.jpg", async (HttpResponse response, CancellationToken ct) =>
            {
                response.ContentType = "image/jpeg";
                for (var i = 0; !ct.IsCancellationRequested; i++)
                {
                    await response.Body.WriteAsync(s_jpeg.AsMemory(i % s_jpeg.Length, 1), ct);
                    await response.Body.FlushAsync(ct);
                    await Task.Delay(50, ct);
                }
            });
            app.MapGet("/chain/{n:int}", (int n) => n == 0 ? Results.Bytes(s_jpeg, "image/jpeg") : Results.Redirect($"/chain/{n - 1}"));
            app.MapGet("/loop/a", () => Results.Redirect("/loop/b"));
            app.MapGet("/loop/b", () => Results.Redirect("/loop/a"));
            app.MapGet("/to-private", () => Results.Redirect("http://10.0.0.1/img.jpg"));
            app.MapGet("/to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
            app.MapGet("/to-canary", () => Results.Redirect($"http://127.0.0.1:{_canary.Port}/img.jpg", permanent: true));
            app.MapGet("/to-file", () => Results.Redirect("file:///etc/passwd"));
            app.MapGet("/html-as-jpeg.jpg", () => Results.Text("<html><body>nope</body></html>", "image/jpeg"));
            app.MapGet("/png-as-html", () => Results.Bytes(TestImages.Png(20, 10), "text/html"));
            app.MapGet("/truncated.jpg", () => Results.Bytes(s_jpeg.AsSpan(0, s_jpeg.Length / 2).ToArray(), "image/jpeg"));
            app.MapGet("/bomb.png", () => Results.Bytes(HostileImages.PngHeader(100_000, 100_000), "image/png"));
            app.MapGet("/gzip-bomb.jpg", (HttpResponse response) =>
            {
                response.Headers.ContentEncoding = "gzip";
                return Results.Bytes(gzipBomb, "image/jpeg");
            });
            app.MapGet("/counted/{i:int}.jpg", async (int i, CancellationToken ct) =>
            {
                var now = Interlocked.Increment(ref _inFlight);
                InterlockedMax(ref _maxInFlight, now);
                try
                {
                    await Task.Delay(40, ct);
                    return Results.Bytes(TestImages.Jpeg(8 + (i % 8), 8), "image/jpeg");
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
            });
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _canary.Dispose();
        _temp.Dispose();
    }

    [Theory]
    [InlineData("latency.jpg?ms=200", null)]
    [InlineData("429.jpg", null)]
    [InlineData("500.jpg", null)]
    [InlineData("chain/3", null)]
    [InlineData("png-as-html", null)]
    [InlineData("chain/9", "too_many_redirects")]
    [InlineData("loop/a", "redirect_loop")]
    [InlineData("to-private", "blocked_address")]
    [InlineData("to-metadata", "blocked_address")]
    [InlineData("to-canary", "blocked_address")]
    [InlineData("to-file", "unsupported_scheme")]
    [InlineData("html-as-jpeg.jpg", "not_an_image")]
    [InlineData("truncated.jpg", "corrupt_image")]
    [InlineData("bomb.png", "too_many_pixels")]
    [InlineData("endless.jpg", "body_too_large")]
    [InlineData("gzip-bomb.jpg", "body_too_large")]
    [InlineData("reset.jpg", "network_error")]
    public async Task Fetch_HostileServer_EndsWithTheExpectedOutcome(string path, string? reason)
    {
        await using var provider = BuildProvider();

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url(path).AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.Equal(reason, result.FailureReason);
        Assert.Equal(reason is null, result.Succeeded);
        Assert.Equal(0, _canary.Connections);
    }

    [Fact]
    public async Task Fetch_TooManyRequestsWithoutRetryAfter_RetriesWithBackoff()
    {
        await using var provider = BuildProvider();

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url("429.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(2, _tooManyHits);
    }

    [Fact]
    public async Task Fetch_SlowDripBody_EndsAtTheDeadline()
    {
        await using var provider = BuildProvider(o => o.Timeout = TimeSpan.FromMilliseconds(800));
        var watch = Stopwatch.StartNew();

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Server.Url("drip.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.Equal("timeout", result.FailureReason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Fetch_ManyAtOnce_StaysWithinThePerHostLimit()
    {
        await using var provider = BuildProvider(o => (o.MaxConcurrency, o.MaxConcurrencyPerHost) = (8, 3));
        var fetcher = provider.GetRequiredService<IImageFetcher>();

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            fetcher.FetchAsync(Server.Url($"counted/{i}.jpg").AbsoluteUri, TestContext.Current.CancellationToken)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.FailureReason));
        Assert.InRange(_maxInFlight, 1, 3);
    }

    [Fact]
    public async Task Fetch_ManyAtOnce_StaysWithinTheGlobalLimit()
    {
        await using var provider = BuildProvider(o => (o.MaxConcurrency, o.MaxConcurrencyPerHost) = (2, 16));
        var fetcher = provider.GetRequiredService<IImageFetcher>();

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            fetcher.FetchAsync(Server.Url($"counted/{i}.jpg").AbsoluteUri, TestContext.Current.CancellationToken)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.FailureReason));
        Assert.InRange(_maxInFlight, 1, 2);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static byte[] GzipOfZeros(int length)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(new byte[length]);
        }

        return output.ToArray();
    }

    private ServiceProvider BuildProvider(Action<ImageFetchOptions>? configure = null)
    {
        var services = TestServices.WithDataFolder(_temp.Path)
            .AddImageFetching();
        services.Configure<ImageFetchOptions>(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.MaxRetries = 2;
            o.MaxBodyBytes = 1024 * 1024;
            o.Timeout = TimeSpan.FromSeconds(10);
            configure?.Invoke(o);
        });
        var provider = services.BuildServiceProvider();

        // Exactly the test server, not loopback as a whole: the canary must stay unreachable.
        provider.GetRequiredService<NetworkGuard>().AllowEndpoint(new IPEndPoint(IPAddress.Loopback, Server.BaseAddress.Port));
        return provider;
    }
}
