namespace Gme.Search.Web;

/// <summary>Log messages of the search service (event ids 4500-4599).</summary>
internal static partial class Log
{
    [LoggerMessage(4500, LogLevel.Information, "Search refused: {Reason}")]
    public static partial void SearchRefused(this ILogger logger, string reason);

    [LoggerMessage(4501, LogLevel.Warning, "Search request without a valid API key from {Remote}")]
    public static partial void ApiKeyRejected(this ILogger logger, string? remote);

    [LoggerMessage(4502, LogLevel.Warning, "Search answered 503: the query could not be embedded: {Reason}")]
    public static partial void QueryEmbeddingUnavailable(this ILogger logger, string reason);
}
