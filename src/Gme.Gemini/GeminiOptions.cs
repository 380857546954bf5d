using System.ComponentModel.DataAnnotations;

namespace Gme.Gemini;

/// <summary>Settings of the Gemini provider (section <c>Gme:Gemini</c>). Prices are USD per million input tokens.</summary>
public sealed class GeminiOptions
{
    public const string SectionName = "Gme:Gemini";

    /// <summary>
    /// The API key. Read from this setting, user-secrets or the <c>GEMINI_API_KEY</c> environment variable; it is only
    /// ever sent in the <c>x-goog-api-key</c> header.
    /// </summary>
    public string? ApiKey { get; set; }

    [Required]
    public Uri BaseUrl { get; set; } = new("https://generativelanguage.googleapis.com/");

    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9.-]*$")]
    public string Model { get; set; } = "gemini-embedding-2";

    /// <summary>Matryoshka size: 768, 1536 or 3072 are the sizes Google recommends.</summary>
    [AllowedValues(768, 1536, 3072)]
    public int OutputDimensionality { get; set; } = 1536;

    /// <summary>Lines per shard file; also the default shard size of stage 3 when Gme:Embedder:ShardMaxItems is unset.</summary>
    [Range(1, 200_000)]
    public int MaxLinesPerShard { get; set; } = 2_000;

    /// <summary>Bytes per shard file, far below the 2 GB upload limit so uploads and downloads stay manageable.</summary>
    [Range(1024, 1_500_000_000)]
    public long MaxShardBytes { get; set; } = 300_000_000;

    /// <summary>Token estimate for one image; Google's general rule is 258 for an image up to 384 px per side.</summary>
    [Range(0, 100_000)]
    public int TokensPerImage { get; set; } = 258;

    /// <summary>Characters per text token for the estimate (about 4 for English).</summary>
    [Range(1.0, 16.0)]
    public double CharsPerToken { get; set; } = 4.0;

    /// <summary>Batch jobs running at once (Google allows 100).</summary>
    [Range(1, 100)]
    public int MaxJobsInFlight { get; set; } = 9;

    /// <summary>Estimated tokens enqueued across running jobs (Tier 1 is about 500k for embedding models).</summary>
    [Range(1_000, 1_000_000_000)]
    public long MaxEnqueuedTokens { get; set; } = 450_000;

    /// <summary>Share of <see cref="MaxEnqueuedTokens"/> kept free, because the token estimate is only an estimate.</summary>
    [Range(0.0, 0.9)]
    public double SafetyMargin { get; set; } = 0.1;

    /// <summary>Wait after a 429 that names no delay; doubled per consecutive 429, capped at <see cref="MaxBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.001", "06:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Attempts for a safe call (GET, upload chunk, upload query) before its error is returned.</summary>
    [Range(1, 10)]
    public int MaxSafeAttempts { get; set; } = 5;

    /// <summary>First wait before retrying a safe call; doubled per attempt (with jitter), capped at a minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan SafeRetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(256, 256 * 1024 * 1024)]
    public int UploadChunkBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Shards of at most this many lines skip the batch job and go through the synchronous endpoint (0 = never).</summary>
    [Range(0, 100_000)]
    public int SyncFallbackMaxItems { get; set; }

    /// <summary>Times one product whose result line failed is retried synchronously before it is reported failed.</summary>
    [Range(0, 5)]
    public int MaxLineRetries { get; set; } = 2;

    public double BatchTextPricePerMillion { get; set; } = 0.10;
    public double BatchImagePricePerMillion { get; set; } = 0.225;
    public double SyncTextPricePerMillion { get; set; } = 0.20;
    public double SyncImagePricePerMillion { get; set; } = 0.45;

    /// <summary>
    /// Cost cap in USD (recorded spend plus the estimate of jobs in flight); once the next shard would pass it nothing
    /// more is submitted and the run pauses. Unset = no cap. `gme run --max-cost` sets it.
    /// </summary>
    [Range(0.0, 1_000_000.0)]
    public double? MaxCostUsd { get; set; }

    /// <summary>Delete the uploaded input file and the results file once a job's collect is committed.</summary>
    public bool DeleteFilesAfterCollect { get; set; } = true;

    /// <summary>Gemini requests per second for the whole process (polls, uploads, downloads, retries together).</summary>
    [Range(0.1, 1_000.0)]
    public double MaxRequestsPerSecond { get; set; } = 5.0;

    /// <summary>How long a search query's embedding may keep retrying 429/503 before the query fails as unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan QueryDeadline { get; set; } = TimeSpan.FromSeconds(20);
}
