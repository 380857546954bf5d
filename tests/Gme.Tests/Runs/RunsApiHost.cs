using System.Net.Http.Json;
using Gme.Core;
using Gme.Core.Messaging;
using Gme.Pipeline;
using Gme.Pipeline.Runs;
using Gme.Sources;
using Gme.Sources.Sample;
using Gme.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gme.Tests.Runs;

/// <summary>
/// The Ingest service's runs API in process (embedded profile, a temp data directory, a test server). By default it has
/// what <c>POST /runs</c> needs (run starter, catalogue inbox, dataset sources, ingest options) and no stage consumers:
/// a run started here stays Running, so each accepted request costs one ledger row and nothing more. With
/// <c>withStages</c> it is the composition of src/Gme.Ingest, so a run's ingest stage reads the catalogue for real.
/// </summary>
public sealed class RunsApiHost : IAsyncLifetime
{
    public const string Key = "runs-api-test-key";

    private readonly TempDirectory _data = new();
    private readonly bool _withStages;
    private readonly Action<IServiceCollection>? _configure;
    private WebApplication _app = null!;

    /// <summary>The API without stage consumers (as a class fixture).</summary>
    public RunsApiHost()
        : this(withStages: false)
    {
    }

    /// <param name="withStages">Registers the Ingest service's stages beside the API.</param>
    /// <param name="configure">Last word on the services (a test's own HTTP handlers).</param>
    internal RunsApiHost(bool withStages, Action<IServiceCollection>? configure = null)
    {
        _withStages = withStages;
        _configure = configure;
    }

    public IServiceProvider Services => _app.Services;

    public HttpClient Client { get; private set; } = null!;

    public string DataDirectory => _data.Path;

    /// <summary>The folder the inbox stores catalogues in.</summary>
    public string Inbox => Path.Combine(_data.Path, "catalogues");

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gme:Profile"] = nameof(GmeProfile.Embedded),
            ["Gme:DataDirectory"] = _data.Path,
            ["Gme:Runs:ApiKey"] = Key,
        });
        builder.AddGmeCore();
        if (_withStages)
        {
            builder.AddIngestStages();
            builder.Services.AddSampleImageServer();
        }
        else
        {
            builder.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName);
            builder.Services.AddDatasetSources();
        }

        builder.Services.AddEmbeddingProvider(builder.Configuration);
        builder.Services.AddGmeBus(GmeProfile.Embedded);
        builder.Services.AddRunsApi();
        _configure?.Invoke(builder.Services);
        _app = builder.Build();
        _app.MapRunEndpoints();
        await _app.StartAsync(TestContext.Current.CancellationToken);
        Client = _app.GetTestClient();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _data.Dispose();
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, string key = Key)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(RunsApiOptions.ApiKeyHeader, key);
        return Client.SendAsync(request, cancellationToken);
    }

    /// <summary>How many runs the ledger holds, through <c>GET /runs</c>.</summary>
    public async Task<int> RunCountAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "/runs?pageSize=1", null, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<RunList>(cancellationToken))!.Total;
    }

    /// <summary>Every file in the inbox (partial transfers included), by name.</summary>
    public IReadOnlyList<string> InboxFiles() =>
        Directory.Exists(Inbox) ? [.. Directory.GetFiles(Inbox).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [];
}
