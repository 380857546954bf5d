namespace Gme.VectorStores.Qdrant;

/// <summary>Log messages of the Qdrant backend (event ids 3100-3199 of the Indexer block).</summary>
internal static partial class QdrantLog
{
    [LoggerMessage(3100, LogLevel.Information, "Created Qdrant collection {Collection} with {Vectors} named vectors and {Indexes} keyword indexes")]
    public static partial void QdrantCollectionCreated(this ILogger logger, string collection, int vectors, int indexes);

    [LoggerMessage(3101, LogLevel.Warning, "Qdrant upsert of {Points} points into {Collection} failed with {Status} (attempt {Attempt} of {Attempts}); retrying in {Delay}")]
    public static partial void QdrantUpsertRetry(this ILogger logger, int points, string collection, string status, int attempt, int attempts, TimeSpan delay);

    [LoggerMessage(3102, LogLevel.Information, "Qdrant collection {Collection}: indexing {State}")]
    public static partial void QdrantIndexing(this ILogger logger, string collection, string state);

    [LoggerMessage(3103, LogLevel.Information, "Qdrant alias {Alias} now points at {Collection}")]
    public static partial void QdrantAliasSwitched(this ILogger logger, string alias, string collection);
}
