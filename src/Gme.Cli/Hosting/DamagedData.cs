using Gme.Core.Errors;
using Gme.Core.Storage;
using Gme.Pipeline.Doctor;

namespace Gme.Cli.Hosting;

/// <summary>Refuses to start on a damaged ledger with one line that points to `gme doctor`, instead of a stack trace.</summary>
internal static class DamagedData
{
    public static void ThrowIfLedgerDamaged(CommonOptions common)
    {
        var ledger = new DataPaths(common.DataDirectory).LedgerFile;
        // The log first: opening the ledger for writing would silently reset a damaged one.
        if ((DataDirDoctor.CheckWriteAheadLog(ledger) ?? DataDirDoctor.CheckLedger(ledger)) is { } problem)
        {
            throw new BadInputException(ledger, $"data dir damaged: {problem}; run `gme doctor`");
        }
    }
}
