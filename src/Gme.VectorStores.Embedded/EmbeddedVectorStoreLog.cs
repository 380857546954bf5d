namespace Gme.VectorStores.Embedded;

internal static partial class EmbeddedVectorStoreLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Created vector collection {Collection} in {Directory}")]
    public static partial void CollectionCreated(this ILogger logger, string collection, string directory);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Loaded vector collection {Collection}: {Points} points from {Records} log records")]
    public static partial void CollectionLoaded(this ILogger logger, string collection, int points, int records);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Vector collection {Collection}: ignored {Bytes} bytes of incomplete or corrupt log tail (a write in progress or a crash)")]
    public static partial void TailIgnored(this ILogger logger, string collection, long bytes);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Vector collection {Collection}: cut off {Bytes} bytes of incomplete or corrupt log tail left by a crash")]
    public static partial void TailTruncated(this ILogger logger, string collection, long bytes);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Compacted vector collection {Collection}: {Before} log records down to {After}")]
    public static partial void Compacted(this ILogger logger, string collection, int before, int after);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Error, Message = "Compacting vector collection {Collection} failed; the log stays as it was")]
    public static partial void CompactionFailed(this ILogger logger, string collection, Exception exception);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Vector collection {Collection}: could not save the index centroids; the next load trains them again")]
    public static partial void CentroidsNotSaved(this ILogger logger, string collection, Exception exception);
}
