using System.Globalization;
using Gme.Core.Errors;
using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Stages;

/// <summary>
/// The removal half of a catalogue sync, decided once a run has read its whole source: the live products of the run's
/// collection that the snapshot no longer holds leave the live catalogue. A snapshot that would remove more than
/// <see cref="IngestOptions.MaxRemovedPercent"/> of it is most likely a truncated export, so it is refused as bad input
/// (one line, nothing removed) unless the run was started with --allow-removals.
/// </summary>
internal static class SnapshotRemovals
{
    /// <summary>
    /// Marks the missing products removed (inside the caller's transaction) and returns how many; throws
    /// <see cref="BadInputException"/> before changing anything when that is more than the limit allows.
    /// </summary>
    public static async Task<int> ApplyAsync(LedgerDbContext db, Guid runId, string collection, string input, bool allowRemovals,
        double maxRemovedPercent, DateTime now, CancellationToken ct)
    {
        var missing = await ProductEntity.MissingFromSnapshot(db, runId, collection).CountAsync(ct);
        if (missing == 0)
        {
            return 0;
        }

        // The catalogue as it was before this snapshot: what it removes plus what it kept (changed or not).
        var kept = await db.Products.CountAsync(p => p.LastRunId == runId && p.RemovedInRunId == null && p.LastChange != ProductChange.Added, ct);
        var before = missing + kept;
        if (!allowRemovals && missing * 100.0 > maxRemovedPercent * before)
        {
            var percent = (missing * 100.0 / before).ToString("0.#", CultureInfo.InvariantCulture);
            throw new BadInputException(input,
                $"this snapshot would remove {missing:N0} of the {before:N0} products of collection '{collection}' ({percent} %), more than the "
                + $"{maxRemovedPercent.ToString(CultureInfo.InvariantCulture)} % allowed (Gme:Ingest:MaxRemovedPercent), so nothing was removed; "
                + "if the export is complete, run again with --allow-removals");
        }

        return await ProductEntity.MarkRemovedAsync(db, runId, collection, now, ct);
    }
}
