using Gme.Core.Ledger;
using Gme.Core.Runs;

namespace Gme.Cli.Output;

/// <summary>The closing lines of `gme run` and its exit code.</summary>
internal static class RunSummaryView
{
    public const int ValidationFailedExitCode = 3;

    public static int Print((RunProgressCounts Counts, StageClock Clock) final, TimeSpan elapsed)
    {
        var (c, clock) = final;
        Console.WriteLine($"Finished in {elapsed.TotalSeconds:F1} s: {c.Indexed} indexed, {c.Failed} failed of {c.Ingested} products.");
        foreach (var (stage, count, seconds, perSecond) in clock.Rates(TimeSpan.Zero))
        {
            Console.WriteLine($"  {stage,-7} {count,7} products by {seconds,7:F1} s  ({perSecond,7:F1} products/s)");
        }

        if (c.ReportPath is not null)
        {
            Console.WriteLine($"Validation {(c.ValidationPassed == true ? "passed" : "FAILED")}: {c.ReportPath}");
        }

        switch (c.Status)
        {
            case RunStatus.Completed when c.ValidationPassed == true:
                return 0;
            case RunStatus.Completed:
                Console.Error.WriteLine($"error: validation failed: {c.Error}");
                return ValidationFailedExitCode;
            case RunStatus.Paused:
                Console.Error.WriteLine($"paused: {c.Error}. Run the same command again to resume.");
                return 4;
            default:
                Console.Error.WriteLine($"error: run failed: {c.Error}. Fix the cause and run the same command again to resume.");
                return 1;
        }
    }
}
