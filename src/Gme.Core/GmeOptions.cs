using System.ComponentModel.DataAnnotations;

namespace Gme.Core;

/// <summary>Settings every Gme process shares (section <c>Gme</c>).</summary>
public sealed class GmeOptions
{
    public const string SectionName = "Gme";

    /// <summary><c>Embedded</c> (one process, SQLite, in-memory bus) or <c>Distributed</c>.</summary>
    public GmeProfile Profile { get; set; } = GmeProfile.Embedded;

    /// <summary>Holds the ledger, image cache, shards, Parquet vectors, the embedded index and reports.</summary>
    [Required]
    public string DataDirectory { get; set; } = "gme-data";

    /// <summary>The vector collection the pipeline writes and search reads.</summary>
    [Required]
    [RegularExpression("^[a-zA-Z0-9_-]{1,64}$", ErrorMessage = "Collection names use letters, digits, '_' and '-' (at most 64).")]
    public string Collection { get; set; } = "products";

    /// <summary>The embedding provider: <c>local</c> (ONNX, no network) or <c>gemini</c>.</summary>
    [Required]
    public string Provider { get; set; } = "local";

    /// <summary>Products per stage-complete message: small enough that stages overlap, large enough to batch.</summary>
    [Range(1, 10_000)]
    public int ChunkSize { get; set; } = 64;
}

public enum GmeProfile
{
    Embedded,
    Distributed,
}
