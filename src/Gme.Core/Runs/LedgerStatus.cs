using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Runs;

/// <summary>Per-stage counts read from the ledger, for `gme status` and live progress.</summary>
public sealed record StatusSnapshot
{
    public required int Products { get; init; }
    public required int Ingested { get; init; }
    public required int ImagesDownloaded { get; init; }
    public required int Sharded { get; init; }
    public required int Embedded { get; init; }
    public required int Indexed { get; init; }
    public required int Failed { get; init; }
    public required int RejectedRows { get; init; }
    public required IReadOnlyDictionary<string, int> Shards { get; init; }
    public required int VectorFiles { get; init; }
    public required IReadOnlyDictionary<string, int> FailuresByReason { get; init; }
    public RunSummary? Run { get; init; }

    /// <summary>Files the provider stored remotely (uploads, results) that the ledger has not seen deleted, and their bytes.</summary>
    public int RemoteFilesHeld { get; init; }
    public long RemoteBytesHeld { get; init; }

    /// <summary>Submitted shards whose job has been reported stuck (its error carries the age at the last poll).</summary>
    public IReadOnlyList<StuckShard> StuckShards { get; init; } = [];

    /// <summary>Images in the cache and the download rates (images/s, stored bytes/s).</summary>
    public ImageStats? Images { get; init; }

    /// <summary>Products removed by a snapshot (out of the live catalogue the other counts describe).</summary>
    public int Removed { get; init; }

    /// <summary>What the summarised run's snapshot did to the catalogue.</summary>
    public CatalogueSync? Sync { get; init; }

    /// <summary>The catalogue the counts are of; null for the whole data dir.</summary>
    public string? Collection { get; init; }
}

/// <summary>
/// A run's catalogue sync: products its source added, changed (embedded again), left unchanged (no provider request)
/// and no longer held (removed from the live set, the index and the current vector files).
/// </summary>
public sealed record CatalogueSync(int Added, int Changed, int Unchanged, int Removed)
{
    internal static async Task<CatalogueSync> ReadAsync(LedgerDbContext db, Guid runId, CancellationToken ct)
    {
        var changes = await db.Products.AsNoTracking().Where(p => p.LastRunId == runId && p.RemovedInRunId == null)
            .GroupBy(p => p.LastChange).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        int Of(ProductChange change) => changes.Where(c => c.Key == change).Sum(c => c.Count);
        var removed = await db.Products.CountAsync(p => p.RemovedInRunId == runId, ct);
        return new CatalogueSync(Of(ProductChange.Added), Of(ProductChange.Changed), Of(ProductChange.Unchanged), removed);
    }
}

public sealed record StuckShard(string ShardId, string? JobName, DateTime? SubmittedAt, string Error);

public sealed record RunSummary(
    Guid Id, string Status, string Source, string Provider, string ModelId, string Collection,
    DateTime CreatedAt, DateTime? IngestCompletedAt, DateTime? CompletedAt, int RowsAccepted, int RowsRejected,
    bool? ValidationPassed, string? ReportPath, string? Error);

public sealed class LedgerStatus(IDbContextFactory<LedgerDbContext> dbFactory)
{
    /// <summary>Counts over the whole ledger, with the given run (or the latest) summarised.</summary>
    public Task<StatusSnapshot> ReadAsync(Guid? runId = null, CancellationToken cancellationToken = default) =>
        ReadAsync(collection: null, runId, cancellationToken);

    /// <summary>
    /// Counts over one catalogue (`gme status --collection`): its products, runs, shards and vector files, with its
    /// latest run summarised; the image cache and the provider's remote files are the data dir's, shared by all.
    /// </summary>
    public Task<StatusSnapshot> ReadCollectionAsync(string collection, CancellationToken cancellationToken = default) =>
        ReadAsync(collection, runId: null, cancellationToken);

    private async Task<StatusSnapshot> ReadAsync(string? collection, Guid? runId, CancellationToken cancellationToken)
    {
        await using var db = dbFactory.CreateDbContext();
        var runs = collection is null ? db.Runs.AsNoTracking() : db.Runs.AsNoTracking().Where(r => r.Collection == collection);
        var products = collection is null ? db.Products.AsNoTracking() : db.Products.AsNoTracking().Where(p => p.Collection == collection);
        var shardRows = collection is null ? db.Shards.AsNoTracking() : db.Shards.AsNoTracking().Where(s => runs.Any(r => r.Id == s.RunId));
        var vectorFiles = collection is null ? db.VectorFiles.AsNoTracking() : db.VectorFiles.AsNoTracking().Where(f => runs.Any(r => r.Id == f.RunId));
        var run = runId is { } id
            ? await runs.FirstOrDefaultAsync(r => r.Id == id, cancellationToken)
            : await runs.OrderByDescending(r => r.CreatedAt).FirstOrDefaultAsync(cancellationToken);

        var stages = await products.Where(p => p.RemovedInRunId == null)
            .GroupBy(p => new { p.Stage, p.Failed })
            .Select(g => new { g.Key.Stage, g.Key.Failed, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int AtLeast(ProductStage stage) => stages.Where(s => s.Stage >= stage && !s.Failed).Sum(s => s.Count);

        var shards = await shardRows.GroupBy(s => s.State)
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var reasons = await products.Where(p => p.Failed && p.LastError != null && p.RemovedInRunId == null)
            .GroupBy(p => p.LastError!).Select(g => new { g.Key, Count = g.Count() })
            .OrderByDescending(g => g.Count).Take(10).ToListAsync(cancellationToken);

        var images = await db.Images.AsNoTracking().Where(i => i.Status != ImageStatus.Pending)
            .GroupBy(i => i.Status)
            .Select(g => new { Status = g.Key, Count = g.Count(), Bytes = g.Sum(i => i.Bytes), First = g.Min(i => i.UpdatedAt), Last = g.Max(i => i.UpdatedAt) })
            .ToListAsync(cancellationToken);

        // Two plain aggregates: a grouped FirstOrDefault made EF Core warn on every `gme status`.
        var heldFiles = db.RemoteFiles.AsNoTracking().Where(f => f.DeletedAt == null);
        var heldCount = await heldFiles.CountAsync(cancellationToken);
        var heldBytes = heldCount == 0 ? 0 : await heldFiles.SumAsync(f => f.Bytes ?? 0, cancellationToken);
        var stuck = await shardRows
            // The collect stage's stuck report reads "job … still {state} after … h"; a retried shard's earlier error does not.
            .Where(s => (s.State == ShardState.Submitted || s.State == ShardState.Collecting) && s.Error != null && s.Error.Contains(" still "))
            .OrderBy(s => s.SubmittedAt).Take(20)
            .Select(s => new StuckShard(s.Id, s.JobName, s.SubmittedAt, s.Error!)).ToListAsync(cancellationToken);

        return new StatusSnapshot
        {
            Collection = collection,
            Removed = await products.CountAsync(p => p.RemovedInRunId != null, cancellationToken),
            Sync = run is null ? null : await CatalogueSync.ReadAsync(db, run.Id, cancellationToken),
            RemoteFilesHeld = heldCount,
            RemoteBytesHeld = heldBytes,
            StuckShards = stuck,
            Products = stages.Sum(s => s.Count),
            Ingested = stages.Sum(s => s.Count),
            ImagesDownloaded = AtLeast(ProductStage.ImageReady),
            Sharded = AtLeast(ProductStage.Sharded),
            Embedded = AtLeast(ProductStage.Embedded),
            Indexed = AtLeast(ProductStage.Indexed),
            Failed = stages.Where(s => s.Failed).Sum(s => s.Count),
            RejectedRows = run is null ? 0 : await db.RejectedRows.CountAsync(r => r.RunId == run.Id, cancellationToken),
            Shards = shards.ToDictionary(s => s.Key.ToString().ToLowerInvariant(), s => s.Count),
            VectorFiles = await vectorFiles.CountAsync(cancellationToken),
            FailuresByReason = reasons.ToDictionary(r => r.Key, r => r.Count),
            Images = new ImageStats(
                images.Where(i => i.Status == ImageStatus.Ready).Sum(i => i.Count),
                images.Where(i => i.Status == ImageStatus.Failed).Sum(i => i.Count),
                images.Where(i => i.Status == ImageStatus.Ready).Sum(i => i.Bytes),
                images.Count == 0 ? null : images.Min(i => i.First),
                images.Count == 0 ? null : images.Max(i => i.Last)),
            Run = run is null ? null : new RunSummary(run.Id, run.Status.ToString(), run.SourceDescription, run.Provider, run.ModelId,
                run.Collection, run.CreatedAt, run.IngestCompletedAt, run.CompletedAt, run.RowsAccepted, run.RowsRejected,
                run.ValidationPassed, run.ReportPath, run.Error),
        };
    }

    /// <summary>The most frequent reasons this run's failed products carry, most frequent first.</summary>
    public async Task<IReadOnlyList<(string Reason, int Count)>> RunFailureReasonsAsync(Guid runId, int top, CancellationToken cancellationToken = default)
    {
        await using var db = dbFactory.CreateDbContext();
        var reasons = await db.Products.AsNoTracking().Where(p => p.LastRunId == runId && p.Failed)
            .GroupBy(p => p.LastError ?? "unknown")
            .Select(g => new { Reason = g.Key, Count = g.Count() })
            .OrderByDescending(g => g.Count).Take(top).ToListAsync(cancellationToken);
        return reasons.Select(r => (r.Reason, r.Count)).ToList();
    }

    /// <summary>Counts for one run's products only (live progress of `gme run`).</summary>
    public async Task<RunProgressCounts> ReadRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = dbFactory.CreateDbContext();
        var run = await db.Runs.AsNoTracking().FirstAsync(r => r.Id == runId, cancellationToken);
        var stages = await db.Products.AsNoTracking().Where(p => p.LastRunId == runId)
            .GroupBy(p => new { p.Stage, p.Failed })
            .Select(g => new { g.Key.Stage, g.Key.Failed, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int AtLeast(ProductStage stage) => stages.Where(s => s.Stage >= stage && !s.Failed).Sum(s => s.Count);

        // Images touched since the run started: the bytes it has brought into the cache so far (live bytes/s).
        var imageBytes = await db.Images.AsNoTracking().Where(i => i.Status == ImageStatus.Ready && i.UpdatedAt >= run.CreatedAt)
            .SumAsync(i => i.Bytes, cancellationToken);
        return new RunProgressCounts(
            run.Status, run.IngestCompletedAt is not null, stages.Sum(s => s.Count), AtLeast(ProductStage.ImageReady),
            AtLeast(ProductStage.Sharded), AtLeast(ProductStage.Embedded), AtLeast(ProductStage.Indexed),
            stages.Where(s => s.Failed).Sum(s => s.Count), run.ValidationPassed, run.ReportPath, run.Error, imageBytes,
            run.IngestCompletedAt is null ? null : await CatalogueSync.ReadAsync(db, runId, cancellationToken), run.FailureKind,
            run.StalledService);
    }
}

public sealed record RunProgressCounts(
    RunStatus Status, bool IngestDone, int Ingested, int Images, int Sharded, int Embedded, int Indexed, int Failed,
    bool? ValidationPassed, string? ReportPath, string? Error, long ImageBytes = 0, CatalogueSync? Sync = null,
    RunFailureKind? FailureKind = null, string? StalledService = null)
{
    public bool IsFinished => Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Paused;
}
