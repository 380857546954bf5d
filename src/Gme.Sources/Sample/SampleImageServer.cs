using System.Net;

namespace Gme.Sources.Sample;

/// <summary>
/// Serves the sample catalogue's photos over loopback HTTP (GET /images/{id}.jpg, rendered on demand), so that
/// sample runs exercise the same download path as real catalogues. Bound to 127.0.0.1 on a free port; catalogue
/// rows never carry that port (see <see cref="SampleHostRewriteHandler"/>). Starts lazily on first use, or as a
/// hosted service.
/// </summary>
public sealed class SampleImageServer : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly int _productCount;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;
    private Uri? _baseAddress;
    private bool _disposed;

    /// <summary>A server for every id the catalogue can produce.</summary>
    public SampleImageServer()
        : this(SampleCatalogue.MaxProductCount)
    {
    }

    /// <summary>A server that answers 404 for ids beyond <paramref name="productCount"/>.</summary>
    public SampleImageServer(int productCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(productCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(productCount, SampleCatalogue.MaxProductCount);
        _productCount = productCount;
    }

    /// <summary>The loopback address the server listens on, such as <c>http://127.0.0.1:51234/</c>.</summary>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("The sample image server has not been started.");

    public async Task<Uri> EnsureStartedAsync(CancellationToken cancellationToken = default)
    {
        if (_baseAddress is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_baseAddress is null)
            {
                var app = Build();
                await app.StartAsync(cancellationToken);
                _app = app;
                var address = app.Urls.First();
                _baseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
            }

            return _baseAddress;
        }
        finally
        {
            _gate.Release();
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => EnsureStartedAsync(cancellationToken);

    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_app is { } app)
            {
                await app.DisposeAsync();
                _app = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>For containers disposed synchronously; the asynchronous path is preferred.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private WebApplication Build()
    {
        // Empty args and no content root files: the server must not pick up the host's configuration or URLs.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(SampleImageServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));

        var app = builder.Build();
        app.MapGet("/images/{file}", (string file) =>
        {
            const string Suffix = ".jpg";
            if (!file.EndsWith(Suffix, StringComparison.Ordinal)
                || !SampleCatalogue.TryParseId(file[..^Suffix.Length], out var index)
                || index > _productCount)
            {
                return Results.NotFound();
            }

            return Results.Bytes(SampleImageRenderer.Render(SampleCatalogue.Product(index)), "image/jpeg");
        });
        return app;
    }
}
