using System.ComponentModel.DataAnnotations;

namespace Gme.Pipeline;

/// <summary>Settings of stages 3-5 (section <c>Gme:Embedder</c>).</summary>
public sealed class EmbedderOptions
{
    public const string SectionName = "Gme:Embedder";

    /// <summary>Items per shard. Small for the local model (stages overlap); a remote batch API wants thousands.</summary>
    [Range(1, 200_000)]
    public int ShardMaxItems { get; set; } = 64;

    /// <summary>How often a failed, expired or lost job is resubmitted before its items are marked failed.</summary>
    [Range(1, 10)]
    public int MaxShardAttempts { get; set; } = 3;

    /// <summary>How often submitted jobs are checked at first; a job that stays unfinished is checked less and less often.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two checks of one job.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "06:00:00")]
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A job unfinished this long after its submission is reported (log and the shard's error in status).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3.00:00:00")]
    public TimeSpan StuckJobAfter { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long one Embedder's claim on a shard it is collecting lasts. A claim is handed back as soon as collecting
    /// fails; this only matters when the Embedder dies mid-collect: then another takes the shard over after this long.
    /// Long enough to download and check a large result file.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CollectClaimTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long one Embedder's claim on a shard it is submitting lasts. Handed back as soon as submitting fails, and
    /// released by a resumed embedded run; this only matters when an Embedder dies mid-submit with others running:
    /// then another takes the shard over after this long (and adopts the job by its display name if it was created).
    /// Long enough to wait for the provider's admission (quota) and upload a large shard.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SubmitClaimTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Shards submitted at once. The local model already uses every core for one shard.</summary>
    [Range(1, 64)]
    public int SubmitConcurrency { get; set; } = 1;
}
