using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gme.Core.Images;
using Gme.Images;
using Gme.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gme.Tests.Ingest;

/// <summary>
/// The fetcher speaks HTTP/2 to a server that offers it (TLS with ALPN, Kestrel on loopback with a self-signed
/// certificate the test trusts) and falls back to HTTP/1.1 where it is not offered; many images share connections.
/// </summary>
public sealed class Http2FetchTests
{
    private static readonly byte[] s_jpeg = TestImages.Jpeg(24, 24);

    [Theory]
    [InlineData(HttpProtocols.Http1AndHttp2, "HTTP/2")]
    [InlineData(HttpProtocols.Http1, "HTTP/1.1")]
    public async Task Fetch_TlsServer_UsesHttp2WhenOfferedElseHttp11(HttpProtocols offered, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        using var certificate = SelfSigned();
        var protocols = new System.Collections.Concurrent.ConcurrentBag<string>();
        var connections = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = offered;
            listen.UseHttps(certificate);
        }));
        await using var app = builder.Build();
        app.MapGet("/img/{i:int}.jpg", (HttpContext context) =>
        {
            protocols.Add(context.Request.Protocol);
            connections.TryAdd(context.Connection.Id, 0);
            return Results.Bytes(s_jpeg, "image/jpeg");
        });
        await app.StartAsync(ct);
        var port = new Uri(app.Urls.First()).Port;

        var services = TestServices.WithDataFolder(temp.Path)
            .AddImageFetching();
        services.Configure<ImageFetchOptions>(o => o.AllowedPrivateNetworks = ["127.0.0.1/32"]);
        services.AddHttpClient(HttpImageFetcher.HttpClientName).ConfigurePrimaryHttpMessageHandler((handler, _) =>
            ((SocketsHttpHandler)handler).SslOptions.RemoteCertificateValidationCallback =
                (_, cert, _, errors) => errors == SslPolicyErrors.None || cert?.GetCertHashString() == certificate.GetCertHashString());
        await using var provider = services.BuildServiceProvider();
        var fetcher = provider.GetRequiredService<IImageFetcher>();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => fetcher.FetchAsync($"https://127.0.0.1:{port}/img/{i}.jpg", ct)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.FailureReason));
        Assert.All(protocols, p => Assert.Equal(expected, p));
        if (expected == "HTTP/2")
        {
            Assert.Single(connections); // 20 requests multiplexed on one connection
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

        // Round-trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
