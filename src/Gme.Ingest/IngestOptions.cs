using System.ComponentModel.DataAnnotations;

namespace Gme.Ingest;

/// <summary>Settings of stages 1-2 (section <c>Gme:Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Gme:Ingest";

    /// <summary>Images fetched at once inside one chunk; the fetcher adds its own global and per-host limits.</summary>
    [Range(1, 256)]
    public int DownloadConcurrency { get; set; } = 8;

    /// <summary>Rows logged individually before rejections are only counted (the ledger keeps them all).</summary>
    [Range(0, 100_000)]
    public int MaxRejectionsLogged { get; set; } = 20;
}
