using System.ComponentModel.DataAnnotations;

namespace Gme.Pipeline.Runs;

/// <summary>Settings of the runs API (section <c>Gme:Runs</c>) that the Ingest service serves.</summary>
public sealed class RunsApiOptions
{
    public const string SectionName = "Gme:Runs";

    /// <summary>The header a client sends its key in; the search API uses the same one.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>
    /// When set, every <c>/runs</c> request must carry it in <c>X-Api-Key</c> (401 otherwise). The AppHost's publish
    /// mode always sets it from the <c>gme-api-key</c> parameter. Never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Largest catalogue accepted by upload or downloaded from an https URL.</summary>
    [Range(1024, 64L * 1024 * 1024 * 1024)]
    public long MaxCatalogueBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Longest a catalogue download from an https URL may take.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(30);
}
