
namespace Gme.Pipeline;

/// <summary>Source-generated log messages of the Embedder service (event ids 2000-2999).</summary>
internal static partial class EmbedderLog
{
    [LoggerMessage(2000, LogLevel.Information, "Shard {ShardId}: built with {Items} items")]
    public static partial void ShardBuilt(this ILogger logger, string shardId, int items);

    [LoggerMessage(2001, LogLevel.Information, "Shard {ShardId}: submitted as job {JobName}")]
    public static partial void ShardSubmitted(this ILogger logger, string shardId, string jobName);

    [LoggerMessage(2002, LogLevel.Information, "Shard {ShardId}: collected {Rows} vectors, {Failed} items failed")]
    public static partial void ShardCollected(this ILogger logger, string shardId, int rows, int failed);

    [LoggerMessage(2003, LogLevel.Warning, "Shard {ShardId}: job {JobName} ended {State} ({Error}); attempt {Attempt} of {MaxAttempts}")]
    public static partial void JobUnsuccessful(this ILogger logger, string shardId, string jobName, string state, string? error, int attempt, int maxAttempts);

    [LoggerMessage(2004, LogLevel.Warning, "Product {ProductId}: no usable vector ({Reason})")]
    public static partial void ItemRejected(this ILogger logger, string productId, string reason);

    [LoggerMessage(2005, LogLevel.Warning, "Shard poll failed; will try again")]
    public static partial void PollFailed(this ILogger logger, Exception exception);

    [LoggerMessage(2006, LogLevel.Warning, "Run {RunId} paused: {Reason}")]
    public static partial void RunPaused(this ILogger logger, Guid runId, string reason);

    [LoggerMessage(2007, LogLevel.Warning, "Shard {ShardId}: could not hand back the claim; it expires by itself")]
    public static partial void ClaimReleaseFailed(this ILogger logger, string shardId, Exception exception);

    [LoggerMessage(2008, LogLevel.Warning, "Shard {ShardId}: job {JobName} still {State} {Age} after submission; polling it slowly")]
    public static partial void JobStuck(this ILogger logger, string shardId, string jobName, string state, TimeSpan age);

    [LoggerMessage(2009, LogLevel.Information, "Run {RunId}: {Deleted} remote files no live shard uses were deleted")]
    public static partial void RemoteStorageSwept(this ILogger logger, Guid runId, int deleted);

    [LoggerMessage(2010, LogLevel.Warning, "Run {RunId}: the remote storage sweep failed; `gme cleanup` runs it again")]
    public static partial void RemoteStorageSweepFailed(this ILogger logger, Guid runId, Exception exception);

    [LoggerMessage(2011, LogLevel.Debug, "Shard {ShardId}: another consumer holds the submit claim; this delivery does nothing")]
    public static partial void SubmitClaimTaken(this ILogger logger, string shardId);
}
