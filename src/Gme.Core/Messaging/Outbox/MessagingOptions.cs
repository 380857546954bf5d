using System.ComponentModel.DataAnnotations;

namespace Gme.Core.Messaging.Outbox;

/// <summary>How the outbox and inbox tables are swept (section <c>Gme:Messaging</c>).</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Gme:Messaging";

    /// <summary>How often each process looks for outbox rows nobody sent and for rows old enough to delete.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An outbox row still unsent after this long is sent by the sweeper: its writer died between commit and send.
    /// Long enough that a writer still busy sending is not raced by every other process.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ResendAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sent outbox rows and inbox rows are kept this long (for audit and duplicate detection), then deleted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
