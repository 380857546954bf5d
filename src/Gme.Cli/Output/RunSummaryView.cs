using Gme.Cli.Hosting;
using Gme.Core.Ledger;
using Gme.Core.Runs;

namespace Gme.Cli.Output;

/// <summary>The closing lines of `gme run` and its exit code.</summary>
internal static class RunSummaryView
{
    /// <summary>Products failed, or validation found problems.</summary>
    public const int FailedProductsExitCode = 3;

    public const int PausedExitCode = 4;

    /// <summary>Failure reasons printed when products failed.</summary>
    public const int TopReasons = 3;

    /// <summary>
    /// Exit 0 only when every product of the run is indexed (rows rejected at ingest carry their reason in the
    /// ledger and do not count) and validation passed; 3 when products failed (count and top reasons) or validation
    /// found problems; 4 paused on the cost cap; 2 when the run stopped on bad input; 1 when a stage gave up.
    /// </summary>
    /// <summary>The catalogue sync line, shared with `gme status`.</summary>
    public static string Sync(CatalogueSync sync) =>
        $"Catalogue sync: {sync.Added} added, {sync.Changed} changed, {sync.Unchanged} unchanged, {sync.Removed} removed.";

    public static int Print((RunProgressCounts Counts, StageClock Clock) final, IReadOnlyList<(string Reason, int Count)> reasons, TimeSpan elapsed)
    {
        var (c, clock) = final;
        Console.WriteLine($"Finished in {elapsed.TotalSeconds:F1} s: {c.Indexed} indexed, {c.Failed} failed of {c.Ingested} products.");
        if (c.Sync is { } sync)
        {
            Console.WriteLine(Sync(sync));
        }
        foreach (var (stage, count, seconds, perSecond) in clock.Rates(TimeSpan.Zero))
        {
            Console.WriteLine($"  {stage,-7} {count,7} products by {seconds,7:F1} s  ({perSecond,7:F1} products/s)");
        }

        if (c.ReportPath is not null)
        {
            Console.WriteLine($"Validation {(c.ValidationPassed == true ? "passed" : "FAILED")}: {c.ReportPath}");
        }

        var outcome = Outcome(c, reasons);
        if (outcome.ErrorLine is { } line)
        {
            Console.Error.WriteLine(line);
        }

        return outcome.ExitCode;
    }

    /// <summary>The exit code and error line of a finished run (see <see cref="Print"/>).</summary>
    public static CliOutcome Outcome(RunProgressCounts c, IReadOnlyList<(string Reason, int Count)> reasons) => c.Status switch
    {
        RunStatus.Completed when c.Failed > 0 => new(FailedProductsExitCode, $"error: {c.Failed:N0} of {c.Ingested:N0} products failed: "
            + string.Join("; ", reasons.Select(r => $"{r.Reason} ({r.Count:N0})"))
            + ". Run the same command again to retry them; `gme status` lists every reason."),
        RunStatus.Completed when c.ValidationPassed == true => new(0, null),
        RunStatus.Completed => new(FailedProductsExitCode, $"error: validation failed: {c.Error}"),
        RunStatus.Paused => new(PausedExitCode, $"paused: {c.Error}. Run the same command again to resume."),
        _ => CliOutcome.FromFailedRun(c.FailureKind, c.Error),
    };
}
