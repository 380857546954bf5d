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
        var repair = new Option<bool>("--repair") { Description = "Rebuild the index from the vector files and re-queue products whose vectors are lost" };
        var command = new Command("doctor", "Check a data dir for damage (ledger, vector files, index) and optionally repair it");
        command.Options.Add(repair);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var common = GmeCommandLine.Common(result);
            common.RequireExistingData();

            // Checked before any host opens the ledger: a damaged one would only throw there.
            var paths = new DataPaths(common.DataDirectory);
            if (DataDirDoctor.CheckWriteAheadLog(paths.LedgerFile) is { } wal)
            {
                // Before any host opens the ledger for writing, which would reset the log and hide the loss.
                Console.WriteLine($"{paths.LedgerFile}: {wal}; restore the ledger from a backup, or move the log aside to go on without them (not repaired automatically)");
                return ProblemsExitCode;
            }

            if (DataDirDoctor.CheckLedger(paths.LedgerFile) is { } ledger)
            {
                Console.WriteLine($"{paths.LedgerFile}: {ledger}; restore it from a backup (not repaired automatically)");
                return ProblemsExitCode;
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
