
namespace Gme.Pipeline;

/// <summary>Source-generated log messages of the Ingest service (event ids 1000-1999).</summary>
internal static partial class IngestLog
{
    [LoggerMessage(1000, LogLevel.Information, "Run {RunId}: ingesting {Source}")]
    public static partial void IngestStarted(this ILogger logger, Guid runId, string source);

    [LoggerMessage(1001, LogLevel.Information, "Run {RunId}: ingest finished, {Accepted} products accepted, {Rejected} rows rejected")]
    public static partial void IngestFinished(this ILogger logger, Guid runId, int accepted, int rejected);

    [LoggerMessage(1002, LogLevel.Warning, "Run {RunId}: row {RowNumber} rejected ({ProductId}): {Reason}")]
    public static partial void RowRejected(this ILogger logger, Guid runId, long rowNumber, string? productId, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "Product {ProductId}: image {ImageRef} failed: {Reason}")]
    public static partial void ImageFailed(this ILogger logger, string productId, string imageRef, string reason);

    [LoggerMessage(1004, LogLevel.Information, "Run {RunId}: run finished in state {State}")]
    public static partial void RunFinished(this ILogger logger, Guid runId, string state);

    [LoggerMessage(1005, LogLevel.Error, "Run {RunId}: a stage gave up on {MessageType}: {Error}")]
    public static partial void StageFaulted(this ILogger logger, Guid runId, string messageType, string error);

    [LoggerMessage(1006, LogLevel.Information, "Run {RunId}: {Products} products are no longer in the source and left the live catalogue")]
    public static partial void ProductsRemoved(this ILogger logger, Guid runId, int products);

    [LoggerMessage(1100, LogLevel.Warning, "Run {RunId}: no progress in the ledger since the last check; re-announced its unfinished work ({Messages} messages)")]
    public static partial void RunReannounced(this ILogger logger, Guid runId, int messages);

    [LoggerMessage(1101, LogLevel.Warning, "Run watchdog: check failed ({Error}); trying again at the next tick")]
    public static partial void WatchdogFailed(this ILogger logger, string error);

    [LoggerMessage(1102, LogLevel.Error, "Run {RunId}: stalled, {Service} has work and no consumer: {Reason}")]
    public static partial void RunStalled(this ILogger logger, Guid runId, string service, string reason);

    [LoggerMessage(1103, LogLevel.Information, "Run {RunId}: every stage queue with work has a consumer again; the run goes on")]
    public static partial void RunStallCleared(this ILogger logger, Guid runId);

    [LoggerMessage(1104, LogLevel.Warning, "Run watchdog: the broker did not say which queues have consumers ({Error}); stalls are checked at the next tick")]
    public static partial void QueueProbeFailed(this ILogger logger, string error);
}
