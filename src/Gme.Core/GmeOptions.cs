using System.ComponentModel.DataAnnotations;

namespace Gme.Core;

/// <summary>Settings every Gme process shares (section <c>Gme</c>).</summary>
public sealed partial class GmeOptions
{
    public const string SectionName = "Gme";

    /// <summary><c>Embedded</c> (one process, SQLite, in-memory bus) or <c>Distributed</c>.</summary>
    public GmeProfile Profile { get; set; } = GmeProfile.Embedded;

    /// <summary>Holds the ledger, image cache, shards, Parquet vectors, the embedded index and reports.</summary>
    [Required]
    public string DataDirectory { get; set; } = "gme-data";

    public const string CollectionNamePattern = "^[a-zA-Z0-9_-]{1,64}$";
    public const string CollectionNameRule = "Collection names use letters, digits, '_' and '-' (at most 64).";

    /// <summary>The vector collection (catalogue) the pipeline writes and search reads; `--collection` on the CLI.</summary>
    [Required]
    [RegularExpression(CollectionNamePattern, ErrorMessage = CollectionNameRule)]
    public string Collection { get; set; } = DefaultCollection;

    /// <summary>The catalogue of a data dir that names none (and of the synthetic sample).</summary>
    public const string DefaultCollection = "products";

    public static bool IsValidCollectionName(string name) => CollectionName().IsMatch(name);

    /// <summary>The embedding provider: <c>local</c> (ONNX, no network) or <c>gemini</c>.</summary>
    [Required]
    public string Provider { get; set; } = "local";

    /// <summary>Products per stage-complete message: small enough that stages overlap, large enough to batch.</summary>
    [Range(1, 10_000)]
    public int ChunkSize { get; set; } = 64;

    [System.Text.RegularExpressions.GeneratedRegex(CollectionNamePattern)]
    private static partial System.Text.RegularExpressions.Regex CollectionName();
}

public enum GmeProfile
{
    Embedded,
    Distributed,
}
