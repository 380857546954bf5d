using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Gme.AppHost.Tests;

/// <summary>
/// The whole distributed app (AppHost in local-services mode: RabbitMQ and PostgreSQL from the installed packages)
/// started once for the tests that share it. Start-up is made to survive a loaded CI machine: a generous timeout, and a
/// service that exits while starting is reported with its last log lines and started once more (a second failure
/// fails the fixture with those lines, never a bare "failed to start"). Disposing stops every process it started and
/// deletes its folder.
/// </summary>
public abstract class AppHostFixture : IAsyncLifetime
{
    public const string Ingest = ResourceNames.Ingest;
    public const string Embedder = ResourceNames.Embedder;
    public const string Indexer = ResourceNames.Indexer;
    public const string Bus = ResourceNames.Bus;

    // Several test assemblies start at once on two cores in CI: five `dotnet run` evaluations, two servers and the
    // migrations can take minutes there.
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(6);
    private const int LogLinesKept = 40;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "gme-apphost-tests", Guid.NewGuid().ToString("n"));
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _logTails = new();
    private readonly ConcurrentDictionary<string, Task> _logWatchers = new();
    private readonly ConcurrentQueue<string> _startupNotes = new();
    private readonly AppHostLogLines _appHostLog = new();
    private DistributedApplication? _app;

    protected CancellationTokenSource Stopping { get; } = new();

    /// <summary>Why the app cannot start here (no rabbitmq-server or postgresql installed); null when it can.</summary>
    public string? MissingReason { get; private set; }

    public DistributedApplication App => _app ?? throw new InvalidOperationException(MissingReason ?? "The app has not started.");

    /// <summary>What happened at start-up worth a test's output (a service started a second time, and why).</summary>
    public IEnumerable<string> StartupNotes => _startupNotes;

    /// <summary>What the AppHost itself logged at information level or above, as "category: message".</summary>
    public IEnumerable<string> AppHostLog => _appHostLog.Lines;

    /// <summary>AppHost arguments beyond the local-services mode and the folder.</summary>
    protected abstract IEnumerable<string> Arguments { get; }

    /// <summary>The services that must be healthy before the tests run.</summary>
    protected virtual IEnumerable<string> ReadyWhenHealthy => [Ingest, Indexer];

    public async ValueTask InitializeAsync()
    {
        MissingReason = LocalServicesCheck.MissingReason();
        if (MissingReason is not null)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Stopping.Token);
        timeout.CancelAfter(s_startTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Gme_AppHost>(
            ["--Gme:Infrastructure=Local", $"--Gme:LocalServices:Directory={_folder}", .. Arguments],
            timeout.Token);
        builder.Services.AddSingleton<ILoggerProvider>(_appHostLog);
        builder.Services.AddLogging(logging => logging.AddFilter<AppHostLogLines>(category: null, LogLevel.Information));
        await ConfigureAsync(builder);
        _app = await builder.BuildAsync(timeout.Token);
        _ = Task.Run(() => WatchLogsAsync(_app, Stopping.Token), Stopping.Token);
        await _app.StartAsync(timeout.Token);
        foreach (var service in ReadyWhenHealthy)
        {
            try
            {
                await WaitUntilStartedAsync(service, timeout.Token);
            }
            catch (OperationCanceledException ex) when (!Stopping.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"{service} was not healthy {s_startTimeout.TotalMinutes:0} min after the start (a machine that loaded?). "
                    + $"{string.Join(Environment.NewLine, _startupNotes)}{Environment.NewLine}Its last lines:{Environment.NewLine}{LogTail(service)}", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await AfterStopAsync();
        Stopping.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A server may still be flushing its last file; the folder is under the temp directory.
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Changes the app model before it is built (environment of the services, extra resources).</summary>
    protected virtual Task ConfigureAsync(IDistributedApplicationTestingBuilder builder) => Task.CompletedTask;

    protected virtual ValueTask AfterStopAsync() => ValueTask.CompletedTask;

    /// <summary>Called with each log line of each resource instance (replicas have their own resource ids).</summary>
    protected virtual void OnLogLine(string resourceName, string resourceId, string line)
    {
    }

    /// <summary>Waits until every instance of a replicated resource is healthy (replicas have their own resource ids).</summary>
    public async Task WaitForHealthyInstancesAsync(string resource, int instances, CancellationToken cancellationToken)
    {
        var healthy = new HashSet<string>();
        await foreach (var e in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (e.Resource.Name != resource)
            {
                continue;
            }

            if (e.Snapshot.HealthStatus == HealthStatus.Healthy && e.Snapshot.State?.Text == KnownResourceStates.Running)
            {
                healthy.Add(e.ResourceId);
            }
            else
            {
                healthy.Remove(e.ResourceId);
            }

            if (healthy.Count >= instances)
            {
                return;
            }
        }
    }

    /// <summary>
    /// SIGKILLs the process tree (the `dotnet run` wrapper and the service under it) of every instance of a resource.
    /// </summary>
    public async Task KillAsync(string resource, int instances, CancellationToken cancellationToken)
    {
        var pids = new Dictionary<string, int>();
        await foreach (var e in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (e.Resource.Name == resource && e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
                && int.TryParse(value.ToString(), out var pid) && pid > 0)
            {
                pids[e.ResourceId] = pid;
                if (pids.Count >= instances)
                {
                    break;
                }
            }
        }

        foreach (var pid in pids.Values)
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(cancellationToken);
        }
    }

    public async Task ExecuteAsync(string resource, string command, CancellationToken cancellationToken)
    {
        var commands = App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resource, command, cancellationToken);
        Assert.True(result.Success, $"{command} on {resource}: {result.Message}");
    }

    /// <summary>The last log lines of every instance of a resource, for failure messages.</summary>
    public string LogTail(string resource) =>
        string.Join(Environment.NewLine, _logTails.Where(kv => kv.Key.StartsWith(resource, StringComparison.Ordinal))
            .SelectMany(kv => kv.Value.Select(line => $"[{kv.Key}] {line}")));

    private async Task WaitUntilStartedAsync(string service, CancellationToken cancellationToken)
    {
        try
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, WaitBehavior.StopOnResourceUnavailable, cancellationToken);
            return;
        }
        catch (DistributedApplicationException)
        {
            // The service exited while starting. Keep what it said, then give it one more start: a loaded machine is
            // no reason to fail every test of the assembly, but it must not hide a service that cannot start.
            _startupNotes.Enqueue($"{service} exited while starting; started it once more. Its last lines:{Environment.NewLine}{LogTail(service)}");
        }

        await ExecuteAsync(service, KnownResourceCommands.StartCommand, cancellationToken);
        try
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, WaitBehavior.StopOnResourceUnavailable, cancellationToken);
        }
        catch (DistributedApplicationException ex)
        {
            throw new InvalidOperationException(
                $"{service} failed to start twice. {string.Join(Environment.NewLine, _startupNotes)}{Environment.NewLine}Second attempt:{Environment.NewLine}{LogTail(service)}", ex);
        }
    }

    private async Task WatchLogsAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        try
        {
            await foreach (var e in app.ResourceNotifications.WatchAsync(cancellationToken))
            {
                var name = e.Resource.Name;
                _ = _logWatchers.GetOrAdd(e.ResourceId, id => Task.Run(() => KeepLogsAsync(logs, name, id, cancellationToken), cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task KeepLogsAsync(ResourceLoggerService logs, string resourceName, string resourceId, CancellationToken cancellationToken)
    {
        var tail = _logTails.GetOrAdd(resourceId, _ => new ConcurrentQueue<string>());
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(cancellationToken))
            {
                foreach (var line in batch)
                {
                    tail.Enqueue(line.Content);
                    while (tail.Count > LogLinesKept && tail.TryDequeue(out _))
                    {
                    }

                    OnLogLine(resourceName, resourceId, line.Content);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
