using System.Net;
using Gme.Core.Images;
using Gme.Images;
using Gme.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gme.Tests.Ingest;

/// <summary>
/// The SSRF guard, on by default: a generated corpus of hostile URLs (direct, through DNS names, through redirects
/// from an allowed server) is refused, and canary listeners on loopback see no connection at all.
/// </summary>
public sealed class SsrfGuardTests : IAsyncLifetime
{
    private static readonly HashSet<string> s_refusals =
    [
        "blocked_address", "unsupported_scheme", "userinfo_in_url", "odd_ip_literal", "invalid_image_ref", "invalid_host",
        "file_not_found", "local_path_without_root", "outside_images_root",
    ];

    private static readonly byte[] s_jpeg = TestImages.Jpeg(32, 32);
    private readonly TempDirectory _temp = new();
    private readonly FakeDnsResolver _dns = new();
    private CanaryListener? _canary;
    private CanaryListener? _canaryV6;
    private LoopbackServer? _redirector;

    private CanaryListener Canary => _canary ?? throw new InvalidOperationException("not started");

    private LoopbackServer Redirector => _redirector ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _canary = new CanaryListener(IPAddress.Loopback);
        try
        {
            _canaryV6 = new CanaryListener(IPAddress.IPv6Loopback, _canary.Port);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // No IPv6 loopback on this machine: the IPv4 canary still catches every loopback form that maps to it.
        }

        HostileUrlCorpus.MapNames(_dns);
        _redirector = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/to", (string u) => Results.Redirect(u));
            app.MapGet("/ok.jpg", () => Results.Bytes(s_jpeg, "image/jpeg"));
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_redirector is not null)
        {
            await _redirector.DisposeAsync();
        }

        _canary?.Dispose();
        _canaryV6?.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Fetch_HostileUrlCorpus_AllRefusedWithoutAConnection()
    {
        await using var provider = BuildProvider();
        var fetcher = provider.GetRequiredService<IImageFetcher>();
        var corpus = HostileUrlCorpus.Direct(Canary.Port).ToList();

        var accepted = await FetchAllAsync(fetcher, corpus);

        Assert.True(corpus.Count >= 200, $"corpus has {corpus.Count} URLs");
        Assert.Empty(accepted);
        AssertNoCanaryConnection();
    }

    [Fact]
    public async Task Fetch_RedirectsIntoHostileTargets_AllRefusedWithoutAConnection()
    {
        await using var provider = BuildProvider();
        var fetcher = provider.GetRequiredService<IImageFetcher>();
        provider.GetRequiredService<NetworkGuard>().AllowEndpoint(Endpoint(Redirector.BaseAddress));
        var corpus = HostileUrlCorpus.Direct(Canary.Port)
            .Where(u => u != "img.jpg") // relative: it would point back at the (allowed) redirector
            .Select(u => Redirector.Url("to?u=" + Uri.EscapeDataString(u)).AbsoluteUri)
            .ToList();

        var sanity = await fetcher.FetchAsync(Redirector.Url("to?u=%2Fok.jpg").AbsoluteUri, TestContext.Current.CancellationToken);
        var accepted = await FetchAllAsync(fetcher, corpus);

        Assert.True(sanity.Succeeded, sanity.FailureReason);
        Assert.Empty(accepted);
        AssertNoCanaryConnection();
    }

    [Fact]
    public async Task Fetch_DnsRebinding_NewConnectionIsCheckedAgainAndRefused()
    {
        var ct = TestContext.Current.CancellationToken;

        // "Public" server: 127.0.0.2 on the canary's port, let through as an exact endpoint, answering with
        // Connection: close so that the next request opens (and resolves for) a new connection.
        var publicAddress = IPAddress.Parse("127.0.0.2");
        await using var fakePublic = await LoopbackServer.StartAsync(
            app => app.MapGet("/img.jpg", (HttpResponse response) =>
            {
                response.Headers.Connection = "close";
                return Results.Bytes(s_jpeg, "image/jpeg");
            }),
            new IPEndPoint(publicAddress, Canary.Port));
        _dns.Map("rebind.test", [publicAddress], [IPAddress.Loopback]);
        await using var provider = BuildProvider();
        provider.GetRequiredService<NetworkGuard>().AllowEndpoint(new IPEndPoint(publicAddress, Canary.Port));
        var fetcher = provider.GetRequiredService<IImageFetcher>();
        var url = $"http://rebind.test:{Canary.Port}/img.jpg";

        var first = await fetcher.FetchAsync(url, ct);
        var second = await fetcher.FetchAsync(url, ct);

        Assert.True(first.Succeeded, first.FailureReason);
        Assert.Equal("blocked_address", second.FailureReason);
        Assert.True(second.Permanent);
        Assert.Equal(2, _dns.Calls("rebind.test"));
        AssertNoCanaryConnection();
    }

    [Fact]
    public async Task Fetch_LoopbackServerWithoutAllowance_IsRefused()
    {
        await using var provider = BuildProvider();

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Redirector.Url("ok.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.Equal("blocked_address", result.FailureReason);
    }

    [Fact]
    public async Task Fetch_LoopbackAllowedByNetworkList_IsFetched()
    {
        await using var provider = BuildProvider(o => o.AllowedPrivateNetworks = ["127.0.0.0/8"]);

        var result = await provider.GetRequiredService<IImageFetcher>().FetchAsync(Redirector.Url("ok.jpg").AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.FailureReason);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("151.101.1.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("2002:808:808::1")]
    [InlineData("64:ff9b::808:808")]
    public void AddressPolicy_PublicAddress_IsAllowed(string address) =>
        Assert.Null(AddressPolicy.Classify(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("169.254.169.254", "link_local")]
    [InlineData("100.64.0.1", "cgnat")]
    [InlineData("::ffff:8.8.8.8", "ipv4_mapped")]
    [InlineData("2002:a00:1::1", "6to4_private")]
    [InlineData("fd00::1", "unique_local")]
    [InlineData("255.255.255.255", "reserved")]
    public void AddressPolicy_PrivateAddress_IsRefusedWithReason(string address, string reason) =>
        Assert.Equal(reason, AddressPolicy.Classify(IPAddress.Parse(address)));

    [Theory]
    [InlineData("2130706433", true)]
    [InlineData("0x7f000001", true)]
    [InlineData("0177.0.0.1", true)]
    [InlineData("127.1", true)]
    [InlineData("127.0.0.1.", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("images.example.com", false)]
    [InlineData("cafe.example", false)]
    public void NetworkGuard_OddIpv4Spelling_IsRecognised(string host, bool odd) =>
        Assert.Equal(odd, NetworkGuard.LooksLikeOddIpv4(host));

    [Fact]
    public void Options_InvalidNetwork_FailsValidation()
    {
        using var provider = TestServices.WithDataFolder(_temp.Path, [new("Gme:Images:AllowedPrivateNetworks:0", "localhost")])
            .AddImageFetching()
            .BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ImageFetchOptions>>().Value);
    }

    private static IPEndPoint Endpoint(Uri uri) => new(IPAddress.Parse(uri.Host), uri.Port);

    private static async Task<List<string>> FetchAllAsync(IImageFetcher fetcher, IEnumerable<string> urls)
    {
        var accepted = new List<string>();
        foreach (var url in urls)
        {
            var result = await fetcher.FetchAsync(url, TestContext.Current.CancellationToken);
            if (result.Succeeded || !s_refusals.Contains(result.FailureReason ?? ""))
            {
                accepted.Add($"{url} -> {(result.Succeeded ? "fetched" : result.FailureReason)}");
            }
        }

        return accepted;
    }

    private void AssertNoCanaryConnection()
    {
        Assert.Equal(0, Canary.Connections);
        Assert.Equal(0, _canaryV6?.Connections ?? 0);
    }

    private ServiceProvider BuildProvider(Action<ImageFetchOptions>? configure = null)
    {
        var services = TestServices.WithDataFolder(_temp.Path)
            .AddSingleton<IDnsResolver>(_dns)
            .AddImageFetching();
        services.Configure<ImageFetchOptions>(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.MaxRetries = 1;
            o.Timeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }
}
