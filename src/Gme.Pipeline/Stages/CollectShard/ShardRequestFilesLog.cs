namespace Gme.Pipeline;

/// <summary>Log messages of <see cref="Stages.ShardRequestFiles"/> (event ids 2950-2959 of the Embedder's block).</summary>
internal static partial class EmbedderLog
{
    [LoggerMessage(2950, LogLevel.Debug, "Shard {ShardId}: request file deleted after collect")]
    public static partial void RequestFileDeleted(this ILogger logger, string shardId);

    [LoggerMessage(2951, LogLevel.Warning, "Shard {ShardId}: could not delete the request file; it only takes disk space")]
    public static partial void RequestFileNotDeleted(this ILogger logger, string shardId, Exception exception);

    [LoggerMessage(2952, LogLevel.Information, "Shard {ShardId}: request file rebuilt from the ledger ({Items} items)")]
    public static partial void RequestFileRebuilt(this ILogger logger, string shardId, int items);
}
