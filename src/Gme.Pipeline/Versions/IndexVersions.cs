using Gme.Core.Errors;
using Gme.Core.Ledger;
using Gme.Core.Vectors;
using Gme.Pipeline.Stages;
using Gme.VectorStores.Embedded;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Versions;

/// <summary>
/// The one owner of index versions (issue 13 item 3): the only code that changes a <see cref="CollectionVersionEntity"/>
/// after its creation and the only one that moves a collection's alias in the store. A version is built by its run into
/// its own physical collection (<see cref="TargetOfAsync"/>), validated and gated by stage 8, then settled here: passed,
/// the alias switches to it in one store call and the previous live version steps down (kept for a rollback until
/// pruned); refused, it is recorded as rejected and the live version stays. The alias is moved before the ledger records
/// it, and every step checks what is already done, so a repeat after a crash converges on the same state.
/// </summary>
public sealed class IndexVersions(
    IDbContextFactory<LedgerDbContext> dbFactory,
    IVectorStore store,
    TimeProvider clock,
    ILogger<IndexVersions> logger)
{
    private const int CopyPage = 256;

    /// <summary>
    /// Where a run writes its points: the physical collection of the version it builds, or the collection itself (the
    /// alias of the live version, or the one physical collection of a data dir without versions).
    /// </summary>
    public static async Task<string> TargetOfAsync(LedgerDbContext db, RunEntity run, CancellationToken cancellationToken = default) =>
        await db.CollectionVersions.AsNoTracking()
            .Where(v => v.BuildRunId == run.Id && v.Collection == run.Collection)
            .Select(v => v.Physical)
            .FirstOrDefaultAsync(cancellationToken)
        ?? run.Collection;

    /// <summary>The version <paramref name="runId"/> builds, or null for a run into the live version.</summary>
    public async Task<CollectionVersionEntity?> BuiltByAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.CollectionVersions.AsNoTracking().FirstOrDefaultAsync(v => v.BuildRunId == runId, cancellationToken);
    }

    /// <summary>The live version of <paramref name="collection"/>, or null when none is recorded.</summary>
    public async Task<CollectionVersionEntity?> LiveAsync(string collection, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.CollectionVersions.AsNoTracking()
            .FirstOrDefaultAsync(v => v.Collection == collection && v.State == CollectionVersionState.Live, cancellationToken);
    }

    /// <summary>
    /// Before a new version of <paramref name="collection"/> is built: a data dir from before versions holds its live
    /// points in a physical collection named like the collection, which must become the alias. Its points are copied to
    /// <c>NAME__v1</c>, checked, and the physical one replaced by the alias: in the embedded store without a gap
    /// (<see cref="EmbeddedVectorStore.ReplaceWithAliasAsync"/>); in Qdrant, which cannot put an alias over a collection,
    /// the name is missing for the instant between the delete and the alias, once per data dir. Idempotent.
    /// </summary>
    public async Task MoveToVersionsAsync(string collection, CancellationToken cancellationToken = default)
    {
        if (await store.GetAliasTargetAsync(collection, cancellationToken) is not null
            || await store.GetCollectionAsync(collection, cancellationToken) is not { } spec)
        {
            await RecordRelocationAsync(collection, cancellationToken);
            return;
        }

        var physical = CollectionVersionNames.Physical(collection, 1);
        await store.EnsureCollectionAsync(spec with { Name = physical }, cancellationToken);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var ids = await (
                    from p in db.Products.AsNoTracking()
                    join r in db.Runs.AsNoTracking() on p.LastRunId equals r.Id
                    where r.Collection == collection
                    select p.Id)
                .ToListAsync(cancellationToken);
            // Every point is read once, to be copied into the first version: nothing worth keeping mapped.
            using var oneOff = OneOffReads.Begin();
            foreach (var page in ids.Chunk(CopyPage))
            {
                var points = await store.RetrieveAsync(collection, page.Select(PointIds.FromProductId).ToList(), withVectors: true, cancellationToken);
                if (points.Count > 0)
                {
                    await store.UpsertAsync(physical, points, cancellationToken);
                }
            }
        }

        var (from, to) = (await store.CountAsync(collection, null, cancellationToken), await store.CountAsync(physical, null, cancellationToken));
        if (from != to)
        {
            throw new InvalidOperationException(
                $"Collection '{collection}' holds {from} points but only {to} were copied to '{physical}'; it was left as it is.");
        }

        if (store is EmbeddedVectorStore embedded)
        {
            await embedded.ReplaceWithAliasAsync(collection, physical, cancellationToken);
        }
        else
        {
            await store.DeleteCollectionAsync(collection, cancellationToken);
            await store.SetAliasAsync(collection, physical, cancellationToken);
        }

        logger.MovedToVersions(collection, physical, to);
        await RecordRelocationAsync(collection, cancellationToken);
    }

    /// <summary>
    /// Stage 8's outcome for <paramref name="runId"/>: a built version goes live (passed) or is rejected; a run into the
    /// live version records the gate's figures on it (adopting the collection as version 1 when none is recorded).
    /// Returns the line that says what happened to the version, or null when the run built none.
    /// </summary>
    public async Task<string?> SettleAsync(Guid runId, ValidationReport report, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstAsync(r => r.Id == runId, cancellationToken);
        var built = await db.CollectionVersions.FirstOrDefaultAsync(v => v.BuildRunId == runId && v.Collection == run.Collection, cancellationToken);
        var gate = report.QualityGate;
        if (built is null || (built.State == CollectionVersionState.Live && built.Physical == run.Collection))
        {
            await RecordOnLiveAsync(db, run, report, cancellationToken);
            return null;
        }

        if (built.State == CollectionVersionState.Building)
        {
            if (report.Passed)
            {
                built.Accept(report.Counts.StorePoints, gate?.Summary ?? "validated", gate?.Ndcg10, gate?.Precision10);
            }
            else
            {
                built.Reject(report.Counts.StorePoints, string.Join("; ", report.Problems), gate?.Passed, gate?.Ndcg10, gate?.Precision10);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        if (built.State == CollectionVersionState.Ready && built.LiveAt is not null)
        {
            // Live once and stepped down since: a repeated settle must not switch back to it.
            return null;
        }

        if (built.State == CollectionVersionState.Rejected)
        {
            logger.VersionRejected(built.Collection, built.Physical, built.GateSummary ?? "");
            return $"version {built.Version} ({built.Physical}) was not switched in: {built.GateSummary}; the live version stays";
        }

        await SwitchAsync(db, built, cancellationToken);
        return $"version {built.Version} ({built.Physical}, {built.ModelId}) is live";
    }

    /// <summary>`gme collections switch`: makes a validated version live.</summary>
    public async Task<CollectionVersionEntity> SwitchAsync(string collection, int version, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var target = await db.CollectionVersions.FirstOrDefaultAsync(v => v.Collection == collection && v.Version == version, cancellationToken)
            ?? throw new BadInputException(collection, $"has no version {version} (`gme collections list` shows them)");
        if (target.State is CollectionVersionState.Building or CollectionVersionState.Rejected)
        {
            throw new BadInputException(CollectionVersionNames.Physical(collection, version),
                $"is {target.State.ToString().ToLowerInvariant()}: only a validated version that passed its gate can go live");
        }

        await SwitchAsync(db, target, cancellationToken);
        return target;
    }

    /// <summary>`gme collections rollback`: back to the version that was live before the current one.</summary>
    public async Task<CollectionVersionEntity> RollbackAsync(string collection, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var previous = await db.CollectionVersions
            .Where(v => v.Collection == collection && v.State == CollectionVersionState.Ready && v.LiveAt != null)
            .OrderByDescending(v => v.LiveAt)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new BadInputException(collection, "has no earlier live version to roll back to (`gme collections list` shows its versions)");
        await SwitchAsync(db, previous, cancellationToken);
        return previous;
    }

    /// <summary>
    /// `gme collections prune`: deletes the versions that are neither live nor being built (stepped-down and rejected
    /// ones), their physical collections first, then their records. Returns what went.
    /// </summary>
    public async Task<IReadOnlyList<CollectionVersionEntity>> PruneAsync(string collection, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var old = await db.CollectionVersions
            .Where(v => v.Collection == collection && (v.State == CollectionVersionState.Ready || v.State == CollectionVersionState.Rejected))
            .OrderBy(v => v.Version)
            .ToListAsync(cancellationToken);
        foreach (var version in old)
        {
            await store.DeleteCollectionAsync(version.Physical, cancellationToken);
            db.CollectionVersions.Remove(version);
            await db.SaveChangesAsync(cancellationToken);
        }

        return old;
    }

    /// <summary>Every recorded version (of one collection, or all), oldest first, with the points each holds now.</summary>
    public async Task<IReadOnlyList<VersionListing>> ListAsync(string? collection, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var versions = await db.CollectionVersions.AsNoTracking()
            .Where(v => collection == null || v.Collection == collection)
            .ToListAsync(cancellationToken);
        var listings = new List<VersionListing>(versions.Count);
        foreach (var version in versions.OrderBy(v => v.Collection, StringComparer.Ordinal).ThenBy(v => v.Version))
        {
            long? points = await store.GetCollectionAsync(version.Physical, cancellationToken) is null
                ? null
                : await store.CountAsync(version.Physical, null, cancellationToken);
            listings.Add(new VersionListing(version, points));
        }

        return listings;
    }

    private async Task SwitchAsync(LedgerDbContext db, CollectionVersionEntity target, CancellationToken ct)
    {
        if (target.Physical != target.Collection)
        {
            await MoveToVersionsAsync(target.Collection, ct);
            await store.SetAliasAsync(target.Collection, target.Physical, ct);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var live = await db.CollectionVersions
            .Where(v => v.Collection == target.Collection && v.State == CollectionVersionState.Live && v.Version != target.Version)
            .ToListAsync(ct);
        foreach (var previous in live)
        {
            previous.StepDown();
        }

        target.GoLive(now);
        await db.SaveChangesAsync(ct);
        logger.VersionLive(target.Collection, target.Physical, target.ModelId);
    }

    private async Task RecordOnLiveAsync(LedgerDbContext db, RunEntity run, ValidationReport report, CancellationToken ct)
    {
        var gate = report.QualityGate;
        var live = await db.CollectionVersions
            .FirstOrDefaultAsync(v => v.Collection == run.Collection && v.State == CollectionVersionState.Live, ct);
        if (live is null)
        {
            if (await db.CollectionVersions.AnyAsync(v => v.Collection == run.Collection, ct))
            {
                return;
            }

            // The first run of a collection writes straight into it: that is version 1.
            var physical = await store.GetAliasTargetAsync(run.Collection, ct) ?? run.Collection;
            var now = clock.GetUtcNow().UtcDateTime;
            live = CollectionVersionEntity.Adopt(run.Collection, 1, physical, run.Provider, run.ModelId, run.Id, run.CreatedAt, now);
            db.CollectionVersions.Add(live);
        }

        live.RecordGate(report.Counts.StorePoints, gate?.Measured == true ? gate.Passed : null,
            gate?.Summary ?? "validated", gate?.Ndcg10 ?? live.Ndcg10, gate?.Precision10 ?? live.Precision10);
        await db.SaveChangesAsync(ct);
    }

    private async Task RecordRelocationAsync(string collection, CancellationToken ct)
    {
        var physical = CollectionVersionNames.Physical(collection, 1);
        if (await store.GetAliasTargetAsync(collection, ct) is null && await store.GetCollectionAsync(physical, ct) is null)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var first = await db.CollectionVersions.FirstOrDefaultAsync(v => v.Collection == collection && v.Physical == collection, ct);
        if (first is not null && first.Version == 1 && await store.GetCollectionAsync(physical, ct) is not null)
        {
            first.Relocate(physical);
            await db.SaveChangesAsync(ct);
        }
    }
}

/// <param name="Points">Points its physical collection holds now; null when that collection is gone.</param>
public sealed record VersionListing(CollectionVersionEntity Version, long? Points);
