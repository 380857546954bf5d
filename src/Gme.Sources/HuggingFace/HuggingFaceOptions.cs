using System.ComponentModel.DataAnnotations;

namespace Gme.Sources.HuggingFace;

/// <summary>Where and how HuggingFace Hub datasets are fetched (section <c>Gme:HuggingFace</c>).</summary>
public sealed class HuggingFaceOptions
{
    public const string SectionName = "Gme:HuggingFace";

    /// <summary>The Hub; tests point it at a fake Hub on loopback.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://huggingface.co/");

    /// <summary>Access token for gated or private datasets; when empty, the <c>HF_TOKEN</c> environment variable. Never logged.</summary>
    public string? Token { get; set; }

    /// <summary>Dataset configuration (subset) whose Parquet files are listed.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,100}$")]
    public string Config { get; set; } = "default";

    /// <summary>Attempts per file download; each one resumes where the last one stopped (HTTP Range).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
}
