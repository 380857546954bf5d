using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gme.AppHost.Infrastructure;

/// <summary>
/// Aspire has no restart policy for projects (dotnet/aspire#1708): a service killed by the OS or a crash stays
/// "Exited" and the run waits on a queue nobody reads. This watches the stage services and starts one again, through
/// the same start command as the dashboard's button, when it exits on its own: from Running straight to Exited or
/// Finished with a non-zero exit code. A stop asked for (the dashboard, the app shutting down) passes through
/// Stopping and is left alone. Each crash within a minute of the last restart doubles the wait, up to the cap.
/// </summary>
internal sealed class CrashRestarter(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IOptions<CrashRestartOptions> options,
    IReadOnlySet<string> services,
    TimeProvider clock,
    ILogger<CrashRestarter> logger) : BackgroundService
{
    private static readonly TimeSpan s_stableAfter = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, string?> _lastState = [];
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, TimeSpan Delay)> _restarts = new();
    private readonly ConcurrentDictionary<string, bool> _pending = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(stoppingToken))
            {
                if (!services.Contains(e.Resource.Name))
                {
                    continue;
                }

                var state = e.Snapshot.State?.Text;
                _lastState.TryGetValue(e.ResourceId, out var before);
                _lastState[e.ResourceId] = state;
                if (before == KnownResourceStates.Running
                    && (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished)
                    && e.Snapshot.ExitCode is not (null or 0)
                    && _pending.TryAdd(e.ResourceId, true))
                {
                    _ = RestartLaterAsync(e.ResourceId, e.Snapshot.ExitCode.Value, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The app is stopping.
        }
    }

    private async Task RestartLaterAsync(string resourceId, int exitCode, CancellationToken cancellationToken)
    {
        try
        {
            var now = clock.GetUtcNow();
            var delay = _restarts.TryGetValue(resourceId, out var last) && now - last.At < last.Delay + s_stableAfter
                ? TimeSpan.FromTicks(Math.Min(Math.Max(last.Delay.Ticks, 1) * 2, options.Value.MaxDelay.Ticks))
                : options.Value.FirstDelay;
            AppHostLog.ServiceCrashed(logger, resourceId, exitCode, delay.TotalSeconds);
            await Task.Delay(delay, clock, cancellationToken);

            // Started meanwhile by someone else (the dashboard, a test): nothing to do.
            if (notifications.TryGetCurrentState(resourceId, out var current)
                && current.Snapshot.State?.Text is { } state && state != KnownResourceStates.Exited && state != KnownResourceStates.Finished)
            {
                return;
            }

            _restarts[resourceId] = (clock.GetUtcNow(), delay);
            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, cancellationToken);
            if (!result.Success)
            {
                AppHostLog.RestartFailed(logger, resourceId, result.Message ?? "unknown error");
            }
        }
        catch (OperationCanceledException)
        {
            // The app is stopping.
        }
        finally
        {
            _pending.TryRemove(resourceId, out _);
        }
    }
}
