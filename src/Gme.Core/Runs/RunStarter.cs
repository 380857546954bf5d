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
    public Task<(Guid RunId, bool Resumed)> StartOrResumeAsync(SourceSpec spec, string description, CancellationToken cancellationToken = default) =>
        StartAsync(spec, description, collection: null, reindex: false, cancellationToken);

    /// <summary>Starts or resumes a run of <paramref name="spec"/> into <paramref name="collection"/> (null: <c>Gme:Collection</c>).</summary>
    public Task<(Guid RunId, bool Resumed)> StartOrResumeAsync(SourceSpec spec, string description, string? collection,
        CancellationToken cancellationToken = default) =>
        StartAsync(spec, description, collection, reindex: false, cancellationToken);

    /// <summary>
    /// `gme reindex`: a run that builds a new version of the collection beside the live one (every live product embedded
    /// again with the provider as configured), which goes live only once validated and through the quality gate.
    /// </summary>
    public Task<(Guid RunId, bool Resumed)> StartNewVersionAsync(SourceSpec spec, string description, CancellationToken cancellationToken = default) =>
        StartAsync(spec, description, collection: null, reindex: true, cancellationToken);

    private async Task<(Guid RunId, bool Resumed)> StartAsync(SourceSpec spec, string description, string? collection, bool reindex,
        CancellationToken cancellationToken)
    {
        collection ??= options.Value.Collection;
        var sourceJson = JsonSerializer.Serialize(spec);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = dbFactory.CreateDbContext();
        var live = await LiveVectorsAsync(db, collection, cancellationToken);

        // A change of provider, model or size would mix vector spaces in the live version: it is built as a new version
        // instead. The local model costs nothing, so a run does that on its own; a paid provider never starts a re-embed
        // of the whole catalogue from a config edit: that takes `gme reindex`.
        var newVersion = reindex || (live is not null && live.Value.ModelId != provider.ModelId);
        if (newVersion && !reindex && provider.Name != LocalProviderName)
        {
            throw new BadInputException(provider.DescribeModelChange(live!.Value.ModelId),
                $"collection '{collection}' holds vectors of {live.Value.ModelId}, the settings ask for {provider.ModelId}; "
                + $"run `gme reindex` to build a new version with {provider.ModelId} beside the live one (a paid re-embed of every product: "
                + "`gme estimate` gives its cost), or restore the setting");
        }

        var unfinished = await db.Runs.AsNoTracking()
            .Where(r => r.Status != RunStatus.Completed && r.SourceJson == sourceJson)
            .OrderByDescending(r => r.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (unfinished is not null && unfinished.ModelId == provider.ModelId && unfinished.Collection == collection)
        {
            return (unfinished.Id, true);
        }

        var run = RunEntity.Start(
            Guid.CreateVersion7(now),
            sourceJson,
            description.Length > 1024 ? description[..1024] : description,
            provider.Name,
            provider.ModelId,
            collection,
            now,
            System.Diagnostics.Activity.Current?.Id);
        db.Runs.Add(run);
        if (newVersion)
        {
            await BeginVersionAsync(db, collection, live, run.Id, now, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return (run.Id, false);
    }

    private const string LocalProviderName = "local";

    /// <summary>
    /// Records the version <paramref name="runId"/> builds (the row's initial insert; IndexVersions owns it from here).
    /// A data dir from before versions gets its live collection recorded as version 1 first, so the new one is 2.
    /// </summary>
    private async Task BeginVersionAsync(LedgerDbContext db, string collection, (string ModelId, string Provider)? live, Guid runId,
        DateTime now, CancellationToken ct)
    {
        var versions = await db.CollectionVersions.Where(v => v.Collection == collection).Select(v => v.Version).ToListAsync(ct);
        if (versions.Count == 0 && live is { } held)
        {
            db.CollectionVersions.Add(CollectionVersionEntity.Adopt(collection, 1, collection, held.Provider, held.ModelId, null, now, now));
            versions.Add(1);
        }

        var next = versions.Count == 0 ? 1 : versions.Max() + 1;
        db.CollectionVersions.Add(CollectionVersionEntity.Begin(collection, next, provider.Name, provider.ModelId, runId, now));
    }

    /// <summary>
    /// The vector identity searches of <paramref name="collection"/> are answered with: its live version's, or, in a data
    /// dir from before versions, that of its newest vector file. Null when nothing is indexed yet.
    /// </summary>
    private static async Task<(string ModelId, string Provider)?> LiveVectorsAsync(LedgerDbContext db, string collection, CancellationToken ct)
    {
        var live = await db.CollectionVersions.AsNoTracking()
            .Where(v => v.Collection == collection && v.State == CollectionVersionState.Live)
            .Select(v => new { v.ModelId, v.Provider })
            .FirstOrDefaultAsync(ct);
        if (live is not null)
        {
            return (live.ModelId, live.Provider);
        }

        if (await db.CollectionVersions.AnyAsync(v => v.Collection == collection, ct))
        {
            // Versions, none live yet (the first is still being built): nothing is searched.
            return null;
        }

        var held = await (
                from f in db.VectorFiles.AsNoTracking()
                join r in db.Runs.AsNoTracking() on f.RunId equals r.Id
                where r.Collection == collection
                orderby f.CreatedAt descending
                select new { f.ModelId, r.Provider })
            .FirstOrDefaultAsync(ct);
        return held is null ? null : (held.ModelId, held.Provider);
    }

    /// <summary>
    /// For the query side (`gme search`, `gme eval`, `gme serve`): a query embedded by another model than the one that
    /// made the live version's vectors would be compared across vector spaces (both local text models are 384-d, so no
    /// size check would catch it), so it is refused with one line naming the setting.
    /// </summary>
    public async Task RefuseModelChangeAsync(CancellationToken cancellationToken = default)
    {
        var collection = options.Value.Collection;
        await using var db = dbFactory.CreateDbContext();
        if (await LiveVectorsAsync(db, collection, cancellationToken) is { } live && live.ModelId != provider.ModelId)
        {
            throw new BadInputException(provider.DescribeModelChange(live.ModelId),
                $"collection '{collection}' is searched in vectors of {live.ModelId}, the settings ask for {provider.ModelId}; "
                + "restore the setting, or build a version with it (`gme run`, `gme reindex`) or switch to one (`gme collections switch`)");
        }
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
