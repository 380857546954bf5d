using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.AppHost.Tests;

/// <summary>
/// The whole distributed app (AppHost in local-services mode: RabbitMQ and PostgreSQL from the installed packages,
/// two Embedder instances) started once for the tests that share it, with every Embedder instance's log watched so
/// a test can tell which instance embedded what. Disposing stops every process it started and deletes its folder.
/// </summary>
public sealed partial class LocalServicesApp : IAsyncLifetime
{
    public const string Ingest = "gme-ingest";
    public const string Embedder = "gme-embedder";
    public const string Indexer = "gme-indexer";
    public const string Bus = "gme-bus";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(3);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "gme-apphost-tests", Guid.NewGuid().ToString("n"));
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, int> _embeddedByInstance = new();
    private readonly ConcurrentDictionary<string, Task> _logWatchers = new();
    private DistributedApplication? _app;

    /// <summary>Why the app cannot start here (no rabbitmq-server or postgresql installed); null when it can.</summary>
    public string? MissingReason { get; private set; }

    public DistributedApplication App => _app ?? throw new InvalidOperationException(MissingReason ?? "The app has not started.");

    /// <summary>Items each Embedder instance reports as embedded ("Local job ... embedded N items").</summary>
    public IReadOnlyDictionary<string, int> EmbeddedByInstance => _embeddedByInstance;

    public async ValueTask InitializeAsync()
    {
        MissingReason = LocalServicesCheck.MissingReason();
        if (MissingReason is not null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(s_startTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Gme_AppHost>(
            [
                "--Gme:Infrastructure=Local",
                "--Gme:EmbedderReplicas=2",
                $"--Gme:LocalServices:Directory={_folder}",
            ],
            timeout.Token);
        _app = await builder.BuildAsync(timeout.Token);
        _ = Task.Run(() => WatchEmbeddersAsync(_app, _stopping.Token), _stopping.Token);
        await _app.StartAsync(timeout.Token);
        foreach (var service in new[] { Ingest, Indexer })
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A server may still be flushing its last file; the folder is under the temp directory.
        }
    }

    /// <summary>Waits until every Embedder instance is healthy (replicas have their own resource ids).</summary>
    public async Task WaitForEmbeddersHealthyAsync(int instances, CancellationToken cancellationToken)
    {
        var healthy = new HashSet<string>();
        await foreach (var e in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (e.Resource.Name == Embedder && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                healthy.Add(e.ResourceId);
                if (healthy.Count >= instances)
                {
                    return;
                }
            }
        }
    }

    /// <summary>SIGKILLs a resource's process tree (the `dotnet run` wrapper and the service under it).</summary>
    public async Task KillAsync(string resource, CancellationToken cancellationToken)
    {
        var pid = 0;
        await foreach (var e in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (e.Resource.Name == resource && e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
                && int.TryParse(value.ToString(), out pid) && pid > 0)
            {
                break;
            }
        }

        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(cancellationToken);
    }

    public async Task ExecuteAsync(string resource, string command, CancellationToken cancellationToken)
    {
        var commands = App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resource, command, cancellationToken);
        Assert.True(result.Success, $"{command} on {resource}: {result.Message}");
    }

    private async Task WatchEmbeddersAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        try
        {
            await foreach (var e in app.ResourceNotifications.WatchAsync(cancellationToken))
            {
                if (e.Resource.Name == Embedder)
                {
                    _ = _logWatchers.GetOrAdd(e.ResourceId, id => Task.Run(() => CountEmbeddedAsync(logs, id, cancellationToken), cancellationToken));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task CountEmbeddedAsync(ResourceLoggerService logs, string resourceId, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(cancellationToken))
            {
                foreach (var line in batch)
                {
                    if (EmbeddedLine().Match(line.Content) is { Success: true } match)
                    {
                        var items = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                        _embeddedByInstance.AddOrUpdate(resourceId, items, (_, total) => total + items);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [GeneratedRegex(@"Local job \S+ embedded (\d+) items")]
    private static partial Regex EmbeddedLine();
}
