using Gme.Cli.Commands;
using Gme.Cli.Hosting;
using Gme.Pipeline.Tests.Support;
using Microsoft.AspNetCore.Builder;

namespace Gme.Pipeline.Tests;

/// <summary>
/// A small generated catalogue (the sample, 40 products with photos) indexed by `gme run`, and `gme serve`'s web
/// application on a free 127.0.0.1 port over it, shared by the search-service tests.
/// </summary>
public sealed class SearchServiceFixture : IAsyncLifetime
{
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(6);
    private readonly TempDir _dir = new("gme-serve");
    private WebApplication? _app;

    public string DataDirectory => _dir.Sub("data");

    public Uri BaseUrl { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var run = await CliProcess.RunAsync(s_limit, "run", "--sample", "--products", "40", "--data-dir", DataDirectory);
        Assert.True(run.ExitCode == 0, $"gme run exited {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");

        _app = ServeCommand.Build(new CommonOptions(DataDirectory, Verbose: false), port: 0);
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.Single());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _dir.Dispose();
    }
}
