using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gme.Bench.Scale;

/// <summary>
/// Serves the sample's photos on 127.0.0.1 at /photos/{cycle}/{file}: every cycle of the catalogue names the same
/// file under its own URL. The photos are read once into memory (18 MB), so the server costs the run little CPU.
/// </summary>
internal sealed class PhotoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PhotoServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<PhotoServer> StartAsync(string imagesFolder, CancellationToken ct)
    {
        var photos = Directory.EnumerateFiles(imagesFolder, "*.jpg")
            .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllBytes(f), StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/photos/{cycle:int}/{file}", (string file) =>
            photos.TryGetValue(file, out var bytes) ? Results.Bytes(bytes, "image/jpeg") : Results.NotFound());
        await app.StartAsync(ct);
        return new PhotoServer(app, new Uri(app.Urls.First() + "/"));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
