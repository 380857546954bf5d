using Gme.Core.Runs;
using Spectre.Console;

namespace Gme.Cli.Output;

/// <summary>
/// Follows a run in the ledger until it finishes: live Spectre.Console bars on a terminal, one plain line per change
/// (at most every two seconds) when output is redirected, so logs and CI stay readable.
/// </summary>
internal static class RunProgressView
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(250);

    /// <param name="eta">Time left for the counts so far and the time since the start, or null (shown when not null).</param>
    public static async Task<(RunProgressCounts Counts, StageClock Clock)> FollowAsync(
        LedgerStatus status, Guid runId, CancellationToken ct, Func<RunProgressCounts, TimeSpan, string?>? eta = null)
    {
        eta ??= (_, _) => null;
        var clock = new StageClock();
        var started = DateTime.UtcNow;
        var interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        RunProgressCounts counts;
        if (interactive)
        {
            counts = await FollowInteractiveAsync(status, runId, clock, started, eta, ct);
        }
        else
        {
            counts = await FollowPlainAsync(status, runId, clock, started, eta, ct);
        }

        return (counts, clock);
    }

    private static async Task<RunProgressCounts> FollowPlainAsync(
        LedgerStatus status, Guid runId, StageClock clock, DateTime started, Func<RunProgressCounts, TimeSpan, string?> eta, CancellationToken ct)
    {
        string? last = null;
        var lastPrinted = DateTime.MinValue;
        while (true)
        {
            var counts = await status.ReadRunAsync(runId, ct);
            Observe(clock, counts, DateTime.UtcNow - started);
            var line = Line(counts, clock);
            if (counts.IsFinished || (line != last && DateTime.UtcNow - lastPrinted >= TimeSpan.FromSeconds(2)))
            {
                var left = eta(counts, DateTime.UtcNow - started);
                Console.WriteLine($"[{(DateTime.UtcNow - started).TotalSeconds,6:F1}s] {line}{(left is null ? "" : " | " + left)}");
                last = line;
                lastPrinted = DateTime.UtcNow;
            }

            if (counts.IsFinished)
            {
                return counts;
            }

            await Task.Delay(s_poll, ct);
        }
    }

    private static async Task<RunProgressCounts> FollowInteractiveAsync(
        LedgerStatus status, Guid runId, StageClock clock, DateTime started, Func<RunProgressCounts, TimeSpan, string?> eta, CancellationToken ct)
    {
        RunProgressCounts? final = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var names = new[] { "ingest", "images", "shards", "embed", "index" };
                var tasks = names.ToDictionary(n => n, n => ctx.AddTask(n, maxValue: 1));
                while (true)
                {
                    var counts = await status.ReadRunAsync(runId, ct);
                    Observe(clock, counts, DateTime.UtcNow - started);
                    var total = Math.Max(1, counts.Ingested);
                    var values = new[] { counts.Ingested, counts.Images, counts.Sharded, counts.Embedded, counts.Indexed };
                    for (var i = 0; i < names.Length; i++)
                    {
                        var task = tasks[names[i]];
                        task.MaxValue = i == 0 && !counts.IngestDone ? total + 1 : total;
                        task.Value = values[i];
                        task.Description = $"{names[i],-7} {values[i],7:N0}" + (i == 1 ? $" {ImageRate(counts, clock)}" : "") + (i == 4 && counts.Failed > 0 ? $" ({counts.Failed:N0} failed)" : "")
                            + (i == 4 && eta(counts, DateTime.UtcNow - started) is { } left ? $" {left}" : "");
                    }

                    if (counts.IsFinished)
                    {
                        final = counts;
                        return;
                    }

                    await Task.Delay(s_poll, ct);
                }
            });
        return final!;
    }

    private static void Observe(StageClock clock, RunProgressCounts c, TimeSpan now)
    {
        clock.Observe("ingest", c.Ingested, now);
        clock.Observe("images", c.Images, now);
        clock.Observe("shards", c.Sharded, now);
        clock.Observe("embed", c.Embedded, now);
        clock.Observe("index", c.Indexed, now);
    }

    private static string Line(RunProgressCounts c, StageClock clock) =>
        $"{c.Status.ToString().ToLowerInvariant(),-10} ingested {c.Ingested}{(c.IngestDone ? "" : "+")} | images {c.Images} ({ImageRate(c, clock)}) | sharded {c.Sharded} | embedded {c.Embedded} | indexed {c.Indexed} | failed {c.Failed}";

    /// <summary>
    /// Images and stored bytes per second from the run's start to the images count's last change, so the rate holds
    /// still once downloads are done (failures by reason: `gme status`).
    /// </summary>
    private static string ImageRate(RunProgressCounts c, StageClock clock)
    {
        var seconds = clock.Rates(TimeSpan.Zero).Where(r => r.Stage == "images").Select(r => r.Seconds).DefaultIfEmpty(0.001).First();
        return $"{c.Images / seconds:N1} img/s, {c.ImageBytes / 1024.0 / seconds:N0} KiB/s";
    }
}
