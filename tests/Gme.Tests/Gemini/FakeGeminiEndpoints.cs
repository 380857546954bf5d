namespace Gme.Tests.Gemini;

/// <summary>
/// Names each request to the fake account by the API method it calls, so a run's requests can be reported per
/// endpoint (and compared with another build's, measured the same way).
/// </summary>
internal static class FakeGeminiEndpoints
{
    public const string UploadStart = "files.upload (start)";
    public const string UploadChunk = "files.upload (chunks)";
    public const string FilesList = "files.list";
    public const string FilesGet = "files.get";
    public const string FilesDelete = "files.delete";
    public const string Download = "files.download";
    public const string BatchesCreate = "batches.create";
    public const string BatchesList = "batches.list";
    public const string BatchesGet = "batches.get";
    public const string BatchesCancel = "batches.cancel";
    public const string BatchesDelete = "batches.delete";
    public const string EmbedContent = "models.embedContent";
    public const string BatchEmbedContents = "models.batchEmbedContents";
    public const string Other = "other";

    /// <summary>Every name, in the order a table shows them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        UploadStart, UploadChunk, BatchesCreate, BatchesGet, BatchesList, FilesGet, FilesList, Download, FilesDelete,
        BatchesCancel, BatchesDelete, EmbedContent, BatchEmbedContents, Other,
    ];

    public static string Of(string method, string path) => method switch
    {
        "POST" when path == "/upload/v1beta/files" => UploadStart,
        "POST" when path.StartsWith("/upload/session/", StringComparison.Ordinal) => UploadChunk,
        "GET" when path == "/v1beta/files" => FilesList,
        "GET" when path.StartsWith("/v1beta/files/", StringComparison.Ordinal) => FilesGet,
        "DELETE" when path.StartsWith("/v1beta/files/", StringComparison.Ordinal) => FilesDelete,
        "GET" when path.StartsWith("/download/v1beta/files/", StringComparison.Ordinal) => Download,
        "POST" when path.EndsWith(":asyncBatchEmbedContent", StringComparison.Ordinal) => BatchesCreate,
        "POST" when path.EndsWith(":batchEmbedContents", StringComparison.Ordinal) => BatchEmbedContents,
        "POST" when path.EndsWith(":embedContent", StringComparison.Ordinal) => EmbedContent,
        "GET" when path == "/v1beta/batches" => BatchesList,
        "GET" when path.StartsWith("/v1beta/batches/", StringComparison.Ordinal) => BatchesGet,
        "POST" when path.EndsWith(":cancel", StringComparison.Ordinal) => BatchesCancel,
        "DELETE" when path.StartsWith("/v1beta/batches/", StringComparison.Ordinal) => BatchesDelete,
        _ => Other,
    };

    /// <summary>What was asked between two snapshots of <c>FakeGeminiServer.RequestsByEndpoint</c>.</summary>
    public static Dictionary<string, int> Since(IReadOnlyDictionary<string, int> now, IReadOnlyDictionary<string, int>? before) =>
        All.ToDictionary(e => e, e => now.GetValueOrDefault(e) - (before?.GetValueOrDefault(e) ?? 0), StringComparer.Ordinal);

    /// <summary>One line: each endpoint called, with its count per shard.</summary>
    public static string PerShard(IReadOnlyDictionary<string, int> counts, int shards) =>
        string.Join(", ", All.Where(e => counts.GetValueOrDefault(e) > 0)
            .Select(e => FormattableString.Invariant($"{e} {counts[e] / (double)Math.Max(1, shards):0.##}")));
}
