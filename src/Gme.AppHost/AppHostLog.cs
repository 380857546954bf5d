using Microsoft.Extensions.Logging;

namespace Gme.AppHost;

/// <summary>AppHost log messages (event ids 4000-4099).</summary>
internal static partial class AppHostLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Warning,
        Message = "Gme: local-services mode (Gme:Infrastructure={Requested}, no healthy container runtime or chosen): RabbitMQ and PostgreSQL run from the installed binaries under {Folder}; the Indexer uses the embedded vector index instead of Qdrant")]
    public static partial void LocalServices(ILogger logger, string requested, string folder);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
        Message = "Gme: {Resource} exited on its own (exit code {ExitCode}); starting it again in {DelaySeconds:0} s")]
    public static partial void ServiceCrashed(ILogger logger, string resource, int exitCode, double delaySeconds);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error,
        Message = "Gme: could not start {Resource} again: {Error}; use its Start button on the dashboard")]
    public static partial void RestartFailed(ILogger logger, string resource, string error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Gme: {Resource} at {Url} ({Purpose})")]
    public static partial void ServiceUrl(ILogger logger, string resource, string url, string purpose);
}
