using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Runs;

/// <summary>
/// The ledger query behind "is the run indexed?". Only the run saga asks it (RunStateMachine), after any stage event
/// that can settle the last product; it reads the ledger, never message counts.
/// </summary>
public static class RunCompletion
{
    /// <summary>
    /// True while some product of the run is neither indexed nor failed for good, or one its snapshot removed is still
    /// in the index or the vector files.
    /// </summary>
    public static Task<bool> HasPendingProductsAsync(LedgerDbContext db, Guid runId, CancellationToken cancellationToken = default) =>
        db.Products.AnyAsync(p => (p.LastRunId == runId && p.RemovedInRunId == null && !p.Failed && p.Stage != ProductStage.Indexed)
            || (p.RemovedInRunId == runId && p.PurgedAt == null), cancellationToken);
}
