using System.ComponentModel.DataAnnotations;

namespace Gme.AppHost.Infrastructure;

/// <summary>How the AppHost restarts a stage service that crashed (section <c>Gme:Restart</c>; local runs only).</summary>
internal sealed class CrashRestartOptions
{
    public const string SectionName = "Gme:Restart";

    /// <summary>Restart crashed services at all (false leaves them down, as Aspire does by itself).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The wait before the first restart; each crash soon after a restart doubles it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between restarts of a service that keeps crashing.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(2);
}
