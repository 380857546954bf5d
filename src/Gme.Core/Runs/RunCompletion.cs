using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Runs;

/// <summary>
/// Decides from the ledger, never from message counts, whether every product of a run is indexed or failed.
/// Any stage that can finish the last product calls it after committing; a duplicate "yes" is harmless.
/// </summary>
public static class RunCompletion
{
    public static async Task<bool> IsIndexedAsync(LedgerDbContext db, Guid runId, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null || run.IngestCompletedAt is null)
        {
            return false;
        }

        var pending = await db.Products.AnyAsync(
            p => p.LastRunId == runId && !p.Failed && p.Stage != ProductStage.Indexed, cancellationToken);
        if (pending)
        {
            return false;
        }

        if (run.IndexedAt is null)
        {
            run.IndexedAt = clock.GetUtcNow().UtcDateTime;
            run.UpdatedAt = run.IndexedAt.Value;
            await db.SaveChangesAsync(cancellationToken);
        }

        return true;
    }
}
