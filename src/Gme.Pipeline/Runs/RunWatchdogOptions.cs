using System.ComponentModel.DataAnnotations;

namespace Gme.Pipeline.Runs;

/// <summary>Settings of the distributed profile's run watchdog (section <c>Gme:Watchdog</c>).</summary>
public sealed class RunWatchdogOptions
{
    public const string SectionName = "Gme:Watchdog";

    /// <summary>How long a running run may show no progress in the ledger before its unfinished work is re-announced.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(15);
}
