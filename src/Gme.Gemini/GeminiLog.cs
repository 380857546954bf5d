namespace Gme.Gemini;

/// <summary>Log messages of the Gemini provider (event ids 2100-2199 in the Embedder block). None carries the key.</summary>
internal static partial class GeminiLog
{
    [LoggerMessage(2100, LogLevel.Warning, "Gemini {Operation} failed with {Status}; attempt {Attempt}, next try in {Delay}")]
    public static partial void SafeCallRetrying(this ILogger logger, string operation, string status, int attempt, TimeSpan delay);

    [LoggerMessage(2101, LogLevel.Information, "Shard {ShardId}: reusing remote batch {BatchName} found by display name")]
    public static partial void BatchReconciled(this ILogger logger, string shardId, string batchName);

    [LoggerMessage(2102, LogLevel.Information, "Shard {ShardId}: reusing uploaded file {FileName}")]
    public static partial void FileReused(this ILogger logger, string shardId, string fileName);

    [LoggerMessage(2103, LogLevel.Information, "Shard {ShardId}: created batch {BatchName} from {FileName}")]
    public static partial void BatchCreated(this ILogger logger, string shardId, string batchName, string fileName);

    [LoggerMessage(2104, LogLevel.Warning, "Shard {ShardId}: batch create was rate limited; waiting {Delay}, admission now {MaxJobs} jobs / {MaxTokens} tokens")]
    public static partial void CreateRateLimited(this ILogger logger, string shardId, TimeSpan delay, int maxJobs, long maxTokens);

    [LoggerMessage(2105, LogLevel.Information, "Shard {ShardId}: {Items} items embedded synchronously (small shard)")]
    public static partial void SyncFallback(this ILogger logger, string shardId, int items);

    [LoggerMessage(2106, LogLevel.Information, "Job {JobName}: {Items} failed or missing lines retried synchronously, {Recovered} recovered")]
    public static partial void LinesRetried(this ILogger logger, string jobName, int items, int recovered);

    [LoggerMessage(2107, LogLevel.Warning, "Upload of {DisplayName} interrupted at {Offset} bytes; resuming")]
    public static partial void UploadResuming(this ILogger logger, string displayName, long offset);

    [LoggerMessage(2108, LogLevel.Information, "Shard {ShardId}: deleted stale uploaded file {FileName}")]
    public static partial void FileDeleted(this ILogger logger, string shardId, string fileName);

    [LoggerMessage(2109, LogLevel.Warning, "Shard {ShardId}: batch create failed ({Error}); reconciling before any new create")]
    public static partial void CreateUncertain(this ILogger logger, string shardId, string error);

    [LoggerMessage(2110, LogLevel.Information, "Spend so far: {BatchTokens} batch tokens ${BatchUsd:F4}, {SyncTokens} synchronous tokens ${SyncUsd:F4}")]
    public static partial void Spend(this ILogger logger, long batchTokens, double batchUsd, long syncTokens, double syncUsd);
}
