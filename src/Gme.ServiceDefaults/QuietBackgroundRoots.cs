using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps background polling out of the trace list. A database or HTTP call that starts a trace of its own belongs to no
/// request, message or run: it is a poller's tick (outbox sweeper, run watchdog, job poller) or a probe, and at ~100
/// one-span traces a minute they buried the runs on the dashboard. Such a root is marked not recorded when it starts,
/// so it is not exported and, with the parent-based sampler, neither is anything under it. Work a poller does for a
/// run (a resend, a re-announcement) starts its own activity under the run's stored trace context and is kept.
/// </summary>
public sealed class QuietBackgroundRoots : BaseProcessor<Activity>
{
    /// <summary>Sources whose activities are only ever steps of some larger operation.</summary>
    private static readonly HashSet<string> s_stepSources = new(StringComparer.Ordinal)
    {
        "Npgsql",
        "Microsoft.EntityFrameworkCore",
        "System.Net.Http",
    };

    public override void OnStart(Activity data)
    {
        if (IsBackgroundRoot(data))
        {
            data.IsAllDataRequested = false;
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }

    /// <summary>A root activity (no parent in this process or from a caller) from one of the step sources.</summary>
    public static bool IsBackgroundRoot(Activity activity) =>
        activity.Parent is null && activity.ParentSpanId == default && s_stepSources.Contains(activity.Source.Name);
}
