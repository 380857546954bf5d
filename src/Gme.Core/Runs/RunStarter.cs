using System.Text.Json;
using Gme.Core.Embeddings;
using Gme.Core.Errors;
using Gme.Core.Ledger;
using Gme.Core.Sources;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Core.Runs;

/// <summary>
/// Creates a run, or finds the unfinished run of the same source, so that running again never starts over. It never
/// changes a run's status: creating the row in its first state is the saga's initial insert, and resuming is the
/// saga's answer to the RunStarted the caller publishes next (a paused or failed run goes back to work).
/// </summary>
public sealed class RunStarter(
    IDbContextFactory<LedgerDbContext> dbFactory,
    IEmbeddingProvider provider,
    IOptions<GmeOptions> options,
    TimeProvider clock)
{
    public async Task<(Guid RunId, bool Resumed)> StartOrResumeAsync(SourceSpec spec, string description, CancellationToken cancellationToken = default)
    {
        var sourceJson = JsonSerializer.Serialize(spec);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = dbFactory.CreateDbContext();
        await RefuseModelChangeAsync(db, cancellationToken);
        var unfinished = await db.Runs.AsNoTracking()
            .Where(r => r.Status != RunStatus.Completed && r.SourceJson == sourceJson)
            .OrderByDescending(r => r.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (unfinished is not null && unfinished.ModelId == provider.ModelId && unfinished.Collection == options.Value.Collection)
        {
            return (unfinished.Id, true);
        }

        var run = RunEntity.Start(
            Guid.CreateVersion7(now),
            sourceJson,
            description.Length > 1024 ? description[..1024] : description,
            provider.Name,
            provider.ModelId,
            options.Value.Collection,
            now,
            System.Diagnostics.Activity.Current?.Id);
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return (run.Id, false);
    }

    /// <summary>
    /// For the query side (`gme search`, `gme eval`, `gme serve`): a query embedded by another model than the one that
    /// made the stored vectors would be compared across vector spaces (both local text models are 384-d, so no size
    /// check would catch it), so it is refused with the same one line as a run.
    /// </summary>
    public async Task RefuseModelChangeAsync(CancellationToken cancellationToken = default)
    {
        await using var db = dbFactory.CreateDbContext();
        await RefuseModelChangeAsync(db, cancellationToken);
    }

    /// <summary>
    /// Until collections are versioned, one data dir holds one vector space: vectors of another model or size would be
    /// mixed with (or rejected against) the existing ones, so a changed setting is refused before anything is sent.
    /// </summary>
    private async Task RefuseModelChangeAsync(LedgerDbContext db, CancellationToken ct)
    {
        var held = await db.VectorFiles.AsNoTracking()
            .Where(f => f.ModelId != provider.ModelId)
            .Select(f => new { f.ModelId, f.RunId })
            .FirstOrDefaultAsync(ct);
        if (held is null)
        {
            return;
        }

        var collection = await db.Runs.AsNoTracking().Where(r => r.Id == held.RunId).Select(r => r.Collection).FirstOrDefaultAsync(ct)
            ?? options.Value.Collection;
        throw new BadInputException(provider.DescribeModelChange(held.ModelId),
            $"this data dir's collection '{collection}' holds vectors of {held.ModelId}, the settings ask for {provider.ModelId}; " +
            "restore the setting or use a new data dir");
    }

    /// <summary>
    /// Waits until the saga has taken a resumed run back from Paused or Failed (after the caller published
    /// RunStarted), so that a caller following the run does not read the old stop as the end of the new attempt.
    /// </summary>
    public async Task WaitUntilResumedAsync(Guid runId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            await using (var db = dbFactory.CreateDbContext())
            {
                var status = await db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status)
                    .FirstOrDefaultAsync(cancellationToken);
                if (status is not (RunStatus.Paused or RunStatus.Failed))
                {
                    return;
                }
            }

            if (clock.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"Run {runId} was not resumed within {timeout.TotalSeconds:0} s (is the Ingest service with the run saga up?).");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), clock, cancellationToken);
        }
    }
}
