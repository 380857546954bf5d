using System.CommandLine;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Core;
using Gme.Core.Ledger;
using Gme.Pipeline.Stages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gme.Cli.Commands;

/// <summary>`gme validate`: checks the latest run of the collection again and prints the report.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("validate", "Check that ledger, Parquet files and index agree and that vectors are sound");
        command.Options.Add(json);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var (report, path) = await QueryHost.RunAsync(GmeCommandLine.Common(result), async services =>
            {
                await using var db = await services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContextAsync(ct);
                var collection = services.GetRequiredService<IOptions<GmeOptions>>().Value.Collection;
                var run = await db.Runs.AsNoTracking().Where(r => r.Collection == collection).OrderByDescending(r => r.CreatedAt).FirstOrDefaultAsync(ct)
                    ?? throw new CliException($"the ledger holds no run of collection '{collection}' yet: run `gme run` first (or pass --collection)");
                var validator = services.GetRequiredService<RunValidator>();
                var report = await validator.ValidateAsync(run.Id, ct);
                return (report, await validator.SaveAsync(report, ct));
            }, ct);
            if (result.GetValue(json))
            {
                Console.WriteLine(RunValidator.ToJson(report));
            }
            else
            {
                PrintText(report, path);
            }

            return report.Passed ? 0 : RunSummaryView.FailedProductsExitCode;
        }));
        return command;
    }

    private static void PrintText(ValidationReport r, string path)
    {
        Console.WriteLine($"Validation of run {r.RunId}: {(r.Passed ? "PASSED" : "FAILED")} ({path})");
        var c = r.Counts;
        Console.WriteLine($"  run products {c.RunProducts}, indexed {c.RunIndexed}, failed {c.RunFailed}, rejected rows {c.RejectedRows}");
        Console.WriteLine($"  ledger indexed {c.IndexedProducts}, Parquet rows {c.ParquetRows}, points in '{r.Collection}' {c.StorePoints}");
        Console.WriteLine($"  vectors checked {r.Vectors.Checked}, unsound {r.Vectors.Bad}");
        foreach (var s in r.SelfSearch)
        {
            Console.WriteLine($"  self-search top-1 on '{s.Vector}': {s.Top1}/{s.Sampled} ({s.Rate:P1})");
        }

        foreach (var q in r.TextQueries)
        {
            Console.WriteLine($"  text query \"{q.Query}\": {(q.HitInTop5 ? "a" : "NO")} {q.ExpectedProductType} in the top 5");
        }

        foreach (var p in r.Problems)
        {
            Console.WriteLine($"  problem: {p}");
        }
    }
}
