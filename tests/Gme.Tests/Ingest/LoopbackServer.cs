using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Gme.Tests.Ingest;

/// <summary>A Kestrel server on 127.0.0.1 and a free port, with routes set up by the test.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Uri Url(string path) => new(BaseAddress, path);

    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> routes, IPEndPoint? endpoint = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(endpoint ?? new IPEndPoint(IPAddress.Loopback, 0)));
        var app = builder.Build();
        routes(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new LoopbackServer(app, new Uri(app.Urls.First() + "/"));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
