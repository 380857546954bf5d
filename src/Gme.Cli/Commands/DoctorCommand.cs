using System.CommandLine;
using Gme.Cli.Hosting;
using Gme.Core.Storage;
using Gme.Pipeline.Doctor;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Cli.Commands;

/// <summary>
/// `gme doctor [--repair]`: checks that ledger, vector files and index of a data dir agree and explains each problem
/// in one line; with --repair rebuilds the index from the vector files and sends products whose vectors are lost
/// back to be embedded by the next `gme run`. Exit 0 when healthy (or repaired), 3 when problems remain.
/// </summary>
internal static class DoctorCommand
{
    public const int ProblemsExitCode = 3;

    public static Command Create()
    {
        var repair = new Option<bool>("--repair")
        {
            Description = "Rebuild the index from the vector files, re-queue products whose vectors are lost, and move a torn ledger log or a damaged ledger aside",
        };
        var command = new Command("doctor", "Check a data dir for damage (ledger, vector files, index) and optionally repair it");
        command.Options.Add(repair);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var common = GmeCommandLine.Common(result);
            common.RequireExistingData();

            // Checked before any host opens the ledger: a damaged one would only throw there.
            var paths = new DataPaths(common.DataDirectory);
            // Checked before any host opens the ledger, which would reset a torn log (hiding the loss) or throw on a damaged database.
            var ledgerProblems = new[]
            {
                DataDirDoctor.CheckWriteAheadLog(paths.LedgerFile) is { } wal ? $"{paths.LedgerFile}: {wal}; {DataDirDoctor.WalRepairHint}" : null,
            }.OfType<string>().ToList();

            // With a garbage log beside it, opening the database fails whatever its state: judge it once the log is sound.
            if (ledgerProblems.Count == 0 && DataDirDoctor.CheckLedger(paths.LedgerFile) is { } ledger)
            {
                ledgerProblems.Add($"{paths.LedgerFile}: {ledger}; {DataDirDoctor.LedgerRepairHint}");
            }
            if (ledgerProblems.Count > 0)
            {
                ledgerProblems.ForEach(Console.WriteLine);
                if (!result.GetValue(repair))
                {
                    Console.WriteLine($"{ledgerProblems.Count} problems; run `gme doctor --repair` to fix them");
                    return ProblemsExitCode;
                }

                foreach (var line in DataDirDoctor.RepairLedgerFiles(paths.LedgerFile, TimeProvider.System))
                {
                    Console.WriteLine($"repaired: {line}");
                }

                if (!File.Exists(paths.LedgerFile))
                {
                    return 0;
                }
            }

            return await QueryHost.RunAsync(common, async services =>
            {
                var doctor = services.GetRequiredService<DataDirDoctor>();
                var findings = await doctor.CheckAsync(ct);
                foreach (var finding in findings)
                {
                    Console.WriteLine(finding);
                }

                if (findings.Count == 0)
                {
                    Console.WriteLine($"{paths.Root}: healthy");
                    return 0;
                }

                if (!result.GetValue(repair))
                {
                    Console.WriteLine($"{findings.Count} problems; run `gme doctor --repair` to fix those that can be");
                    return ProblemsExitCode;
                }

                foreach (var line in await doctor.RepairAsync(ct))
                {
                    Console.WriteLine($"repaired: {line}");
                }

                var left = await doctor.CheckAsync(ct);
                foreach (var finding in left)
                {
                    Console.WriteLine($"still: {finding}");
                }

                return left.Count == 0 ? 0 : ProblemsExitCode;
            }, ct);
        }));
        return command;
    }
}
