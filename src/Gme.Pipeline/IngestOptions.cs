using System.ComponentModel.DataAnnotations;

namespace Gme.Pipeline;

/// <summary>Settings of stages 1-2 (section <c>Gme:Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Gme:Ingest";

    /// <summary>
    /// Images started at once inside one chunk. The fetcher's process-wide limits (Gme:Images:MaxConcurrency, per
    /// host) decide how many really download, so this only needs to be high enough for one chunk to fill them.
    /// </summary>
    [Range(1, 256)]
    public int DownloadConcurrency { get; set; } = 32;

    /// <summary>Rows logged individually before rejections are only counted (the ledger keeps them all).</summary>
    [Range(0, 100_000)]
    public int MaxRejectionsLogged { get; set; } = 20;

    /// <summary>
    /// The folder local image paths of a catalogue must lie in, when not the catalogue file's own folder (`gme run
    /// --images-root` overrides it). Copied into each new run's source, so a resume keeps the root it started with.
    /// </summary>
    public string? ImagesRoot { get; set; }

    /// <summary>
    /// The share of rows (percent) that may be rejected before ingest fails the run as bad input: past it the file is
    /// most likely the wrong one, or mapped wrongly, and embedding the rest would waste the run. 100 turns it off.
    /// </summary>
    [Range(0, 100)]
    public double MaxRejectedPercent { get; set; } = 50;

    /// <summary>
    /// The share of the live catalogue (percent) a complete snapshot may remove before ingest refuses the run as bad
    /// input: past it the export is most likely truncated, and removing would empty the index. `gme run
    /// --allow-removals` lifts it for one run; 100 turns it off.
    /// </summary>
    [Range(0, 100)]
    public double MaxRemovedPercent { get; set; } = 20;
}
