using System.Text.Json;
using Gme.Core.Embeddings;
using Gme.Core.Errors;
using Gme.Core.Ledger;
using Gme.Core.Sources;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Core.Runs;

/// <summary>Creates a run, or resumes the unfinished run of the same source, so that running again never starts over.</summary>
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
        var unfinished = await db.Runs
            .Where(r => r.Status != RunStatus.Completed && r.SourceJson == sourceJson)
            .OrderByDescending(r => r.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (unfinished is not null && unfinished.ModelId == provider.ModelId && unfinished.Collection == options.Value.Collection)
        {
            unfinished.Status = unfinished.IndexedAt is null ? RunStatus.Running : RunStatus.Validating;
            unfinished.Error = null;
            unfinished.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            return (unfinished.Id, true);
        }

        var run = new RunEntity
        {
            Id = Guid.CreateVersion7(now),
            SourceJson = sourceJson,
            SourceDescription = description.Length > 1024 ? description[..1024] : description,
            Provider = provider.Name,
            ModelId = provider.ModelId,
            Collection = options.Value.Collection,
            Status = RunStatus.Running,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return (run.Id, false);
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
}
