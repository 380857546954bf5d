using System.ComponentModel.DataAnnotations;

namespace Gme.Pipeline.Runs;

/// <summary>Settings of the distributed profile's run watchdog (section <c>Gme:Watchdog</c>).</summary>
public sealed class RunWatchdogOptions : IValidatableObject
{
    public const string SectionName = "Gme:Watchdog";

    /// <summary>How long a running run may show no progress in the ledger before its unfinished work is re-announced.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The longest wait between two re-announcements of a run that still shows no progress: each one without progress
    /// doubles the wait from <see cref="StallAfter"/> up to this, so a run nobody can serve is not flooded.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "06:00:00")]
    public TimeSpan ReannounceMaxInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a stage queue may hold work with no consumer before the active runs are marked Stalled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan NoConsumerLimit { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the watchdog reads the ledger and the broker while a run is active.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReannounceMaxInterval < StallAfter)
        {
            yield return new ValidationResult(
                $"{nameof(ReannounceMaxInterval)} ({ReannounceMaxInterval}) must be at least {nameof(StallAfter)} ({StallAfter}).",
                [nameof(ReannounceMaxInterval)]);
        }

        if (CheckInterval > NoConsumerLimit)
        {
            yield return new ValidationResult(
                $"{nameof(CheckInterval)} ({CheckInterval}) must not exceed {nameof(NoConsumerLimit)} ({NoConsumerLimit}): a stall would be seen late.",
                [nameof(CheckInterval)]);
        }
    }
}
