
namespace Gme.Pipeline;

/// <summary>Source-generated log messages of the Indexer service (event ids 3000-3999).</summary>
internal static partial class IndexerLog
{
    [LoggerMessage(3000, LogLevel.Information, "Collection {Collection} is ready")]
    public static partial void CollectionReady(this ILogger logger, string collection);

    [LoggerMessage(3001, LogLevel.Information, "Vector file {VectorFileId}: {Points} points upserted")]
    public static partial void VectorsUpserted(this ILogger logger, string vectorFileId, int points);

    [LoggerMessage(3002, LogLevel.Information, "Run {RunId}: validation {Outcome}; report at {ReportPath}")]
    public static partial void RunValidated(this ILogger logger, Guid runId, string outcome, string reportPath);

    [LoggerMessage(3003, LogLevel.Error, "Vector file {VectorFileId} at {Path} does not match its recorded hash; its shard is collected again")]
    public static partial void VectorFileCorrupt(this ILogger logger, string vectorFileId, string path);

    [LoggerMessage(3004, LogLevel.Information, "Run {RunId}: {Products} removed products left collection {Collection}; {Files} vector files rewritten without them")]
    public static partial void ProductsPurged(this ILogger logger, Guid runId, int products, string collection, int files);

    [LoggerMessage(3005, LogLevel.Information, "Run {RunId}: no quality gate is configured; collection {Candidate} is judged by validation alone (search quality not measured)")]
    public static partial void NoQualityGate(this ILogger logger, Guid runId, string candidate);

    [LoggerMessage(3006, LogLevel.Information, "Collection {Collection}: version {Physical} ({ModelId}) is live")]
    public static partial void VersionLive(this ILogger logger, string collection, string physical, string modelId);

    [LoggerMessage(3007, LogLevel.Warning, "Collection {Collection}: version {Physical} was not switched in: {Reason}")]
    public static partial void VersionRejected(this ILogger logger, string collection, string physical, string reason);

    [LoggerMessage(3008, LogLevel.Information, "Collection {Collection}: its {Points} points moved to version {Physical}; the collection name is now its alias")]
    public static partial void MovedToVersions(this ILogger logger, string collection, string physical, long points);
}
