using Microsoft.Extensions.Logging;

namespace Gme.AppHost;

/// <summary>AppHost log messages (event ids 4000-4099).</summary>
internal static partial class AppHostLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Warning,
        Message = "Gme: local-services mode (Gme:Infrastructure={Requested}, no healthy container runtime or chosen): RabbitMQ and PostgreSQL run from the installed binaries under {Folder}; the Indexer uses the embedded vector index instead of Qdrant")]
    public static partial void LocalServices(ILogger logger, string requested, string folder);
}
