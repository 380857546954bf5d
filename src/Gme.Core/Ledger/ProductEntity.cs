using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Ledger;

/// <summary>
/// One product and how far it got. <see cref="Stage"/> is the last stage it finished; a failure keeps the stage it
/// reached and records which stage failed and why, so a later run can retry exactly that. Stage, failure, shard and
/// vector file change only through the methods below (the bulk updates only through the static ones here); an
/// illegal move throws <see cref="InvalidOperationException"/> naming product, from and to.
/// </summary>
public sealed class ProductEntity
{
    private ProductStage _stage;
    private bool _failed;
    private ProductStage? _failedStage;
    private string? _shardId;
    private string? _vectorFileId;
    private ProductChange _lastChange;
    private Guid? _removedInRunId;
    private DateTime? _purgedAt;

    /// <summary>
    /// The catalogue (collection) it belongs to: with <see cref="Id"/> the key, so the same id in two catalogues of one
    /// data dir is two products, each with its own progress, vectors and removals.
    /// </summary>
    public required string Collection { get; init; }

    public required string Id { get; set; }
    public Guid LastRunId { get; set; }
    public long RowNumber { get; set; }

    /// <summary>SHA-256 of the fields that affect the embedding; a change sends the product through again.</summary>
    public required string ContentHash { get; set; }
    public required string PayloadJson { get; set; }
    public required string Name { get; set; }
    public required string Text { get; set; }
    public required string ImageRef { get; set; }
    public string? ImageSha256 { get; set; }

    /// <summary>
    /// SHA-256 of a local photo's bytes as the last snapshot read them (null for a URL, or a file it could not read):
    /// a photo rewritten at the same path changes this and not the content hash, and is a change all the same.
    /// </summary>
    public string? PhotoSha256 { get; set; }

    /// <summary>
    /// The photo file's size and modification time when <see cref="PhotoSha256"/> was computed: while they hold, the
    /// next snapshot trusts the hash instead of reading the file again.
    /// </summary>
    public string? PhotoStamp { get; set; }

    public ProductStage Stage
    {
        get => _stage;
        init => _stage = value;
    }

    public bool Failed
    {
        get => _failed;
        init => _failed = value;
    }

    public ProductStage? FailedStage
    {
        get => _failedStage;
        init => _failedStage = value;
    }

    public string? LastError { get; set; }
    public int Attempts { get; set; }

    public string? ShardId
    {
        get => _shardId;
        init => _shardId = value;
    }

    public string? VectorFileId
    {
        get => _vectorFileId;
        init => _vectorFileId = value;
    }

    public DateTime UpdatedAt { get; set; }

    /// <summary>
    /// What the source snapshot of <see cref="LastRunId"/> did to it (added, changed or unchanged); the catalogue sync
    /// counts of a run are read from here, so a resumed ingest that sees the product again does not count it twice.
    /// </summary>
    public ProductChange LastChange
    {
        get => _lastChange;
        init => _lastChange = value;
    }

    /// <summary>
    /// The run whose source no longer held it: it is out of the live catalogue (no stage works on it, status and
    /// validation do not count it). Null while it is live.
    /// </summary>
    public Guid? RemovedInRunId
    {
        get => _removedInRunId;
        init => _removedInRunId = value;
    }

    /// <summary>
    /// When its point left the vector store and its row the current vector files. Those effects come after the commit
    /// that removed it (<see cref="MarkRemovedAsync"/>), so a removed product with no date still has them pending.
    /// </summary>
    public DateTime? PurgedAt
    {
        get => _purgedAt;
        init => _purgedAt = value;
    }

    /// <summary>True when it is in the live catalogue (not removed by a later snapshot).</summary>
    public bool IsLive => _removedInRunId is null;

    /// <summary>
    /// Seen with the same content in <paramref name="runId"/>'s snapshot. The first sighting in a run counts it as
    /// unchanged; a repeated one (a resumed ingest) keeps what the first recorded.
    /// </summary>
    public void MarkUnchanged(Guid runId)
    {
        ThrowIfRemoved("unchanged");
        if (LastRunId != runId)
        {
            _lastChange = ProductChange.Unchanged;
        }

        LastRunId = runId;
    }

    /// <summary>
    /// Seen with other content (embedded text, photo reference or payload) in <paramref name="runId"/>'s snapshot: it
    /// goes through every stage again. Added earlier in the same run, it stays added.
    /// </summary>
    public void MarkChanged(Guid runId, string contentHash)
    {
        ThrowIfRemoved("changed");
        if (LastRunId != runId || _lastChange != ProductChange.Added)
        {
            _lastChange = ProductChange.Changed;
        }

        LastRunId = runId;
        ContentHash = contentHash;
        Reset();
    }

    /// <summary>
    /// A product an earlier snapshot removed is back in <paramref name="runId"/>'s: it is live again and, its old point
    /// having left the index, goes through every stage again as an added product.
    /// </summary>
    public void Restore(Guid runId, string contentHash)
    {
        if (_removedInRunId is null)
        {
            throw new InvalidOperationException($"Product {Id}: cannot be restored, it was not removed.");
        }

        _removedInRunId = null;
        _purgedAt = null;
        _lastChange = ProductChange.Added;
        LastRunId = runId;
        ContentHash = contentHash;
        Reset();
    }

    /// <summary>Its point is out of the vector store and its row out of the current vector files.</summary>
    public void MarkPurged(DateTime now)
    {
        if (_removedInRunId is null)
        {
            throw new InvalidOperationException($"Product {Id}: cannot be purged, it is live.");
        }

        _purgedAt ??= now;
        UpdatedAt = now;
    }

    /// <summary>Its content changed: it goes through every stage again.</summary>
    public void Reset()
    {
        _stage = ProductStage.Ingested;
        _shardId = null;
        _vectorFileId = null;
        ImageSha256 = null;
        ClearFailure();
    }

    /// <summary>A new run retries what failed before, from the stage where it stopped (a shard is rebuilt).</summary>
    public void Retry()
    {
        if (!_failed)
        {
            throw new InvalidOperationException($"Product {Id}: cannot go from {_stage} to a retry, it has not failed.");
        }

        ClearFailure();
        if (_stage is ProductStage.Sharded)
        {
            _stage = ProductStage.ImageReady;
            _shardId = null;
        }
    }

    public void MarkImageReady(string imageSha256)
    {
        Move(ProductStage.ImageReady, ProductStage.Ingested);
        ImageSha256 = imageSha256;
    }

    public void MarkEmbedded(string vectorFileId)
    {
        Move(ProductStage.Embedded, ProductStage.Sharded);
        _vectorFileId = vectorFileId;
    }

    /// <summary>Fails the product at <paramref name="stage"/> (the stage it did not finish) with the reason.</summary>
    public void Fail(ProductStage stage, string reason)
    {
        if (_stage >= stage)
        {
            throw new InvalidOperationException($"Product {Id}: cannot go from {_stage} to failed at {stage}.");
        }

        _failed = true;
        _failedStage = stage;
        LastError = reason;
        Attempts++;
    }

    /// <summary>Puts image-ready products into a shard, in one conditional update; returns how many it took.</summary>
    public static Task<int> ClaimForShardAsync(IQueryable<ProductEntity> products, Guid runId, IReadOnlyCollection<string> ids, string shardId, DateTime now,
        CancellationToken cancellationToken) =>
        products
            .Where(p => p.LastRunId == runId && ids.Contains(p.Id) && p.ShardId == null && p.Stage == ProductStage.ImageReady && !p.Failed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.ShardId, shardId)
                .SetProperty(p => p.Stage, ProductStage.Sharded)
                .SetProperty(p => p.UpdatedAt, now), cancellationToken);

    /// <summary>The embedded products of a vector file are in the vector store.</summary>
    public static Task<int> MarkIndexedAsync(IQueryable<ProductEntity> products, string vectorFileId, DateTime now, CancellationToken cancellationToken) =>
        products
            .Where(p => p.VectorFileId == vectorFileId && p.Stage == ProductStage.Embedded)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Stage, ProductStage.Indexed).SetProperty(p => p.UpdatedAt, now), cancellationToken);

    /// <summary>A vector file was lost: its embedded products go back to their shard, to be collected again.</summary>
    public static Task<int> UnembedAsync(IQueryable<ProductEntity> products, string vectorFileId, CancellationToken cancellationToken) =>
        products
            .Where(p => p.VectorFileId == vectorFileId && p.Stage == ProductStage.Embedded)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Stage, ProductStage.Sharded).SetProperty(p => p.VectorFileId, (string?)null), cancellationToken);

    /// <summary>
    /// `gme doctor --repair`: a vector file is gone for good (deleted or damaged), so the products it held go back to
    /// ImageReady without a shard, and the next `gme run` shards and embeds them again. Failed products keep their failure.
    /// </summary>
    public static Task<int> RequeueLostVectorsAsync(IQueryable<ProductEntity> products, string vectorFileId, DateTime now,
        CancellationToken cancellationToken) =>
        products
            .Where(p => p.VectorFileId == vectorFileId && !p.Failed && (p.Stage == ProductStage.Embedded || p.Stage == ProductStage.Indexed))
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.Stage, ProductStage.ImageReady)
                .SetProperty(p => p.ShardId, (string?)null)
                .SetProperty(p => p.VectorFileId, (string?)null)
                .SetProperty(p => p.UpdatedAt, now), cancellationToken);

    /// <summary>
    /// Products of <paramref name="collection"/>'s catalogue that a complete snapshot read by <paramref name="runId"/>
    /// did not hold: live ones whose last run is another run. Other catalogues' products are never considered.
    /// </summary>
    public static IQueryable<ProductEntity> MissingFromSnapshot(LedgerDbContext db, Guid runId, string collection) =>
        db.Products.Where(p => p.Collection == collection && p.RemovedInRunId == null && p.LastRunId != runId);

    /// <summary>
    /// Takes the products a complete snapshot no longer holds out of the live catalogue, in one conditional update
    /// (part of the caller's transaction); their point and vector-file rows are removed after it commits.
    /// </summary>
    public static Task<int> MarkRemovedAsync(LedgerDbContext db, Guid runId, string collection, DateTime now, CancellationToken cancellationToken) =>
        MissingFromSnapshot(db, runId, collection)
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.RemovedInRunId, runId)
                .SetProperty(p => p.PurgedAt, (DateTime?)null)
                .SetProperty(p => p.UpdatedAt, now), cancellationToken);

    private void ThrowIfRemoved(string to)
    {
        if (_removedInRunId is not null)
        {
            throw new InvalidOperationException($"Product {Id}: cannot be {to}, it was removed by run {_removedInRunId} (restore it).");
        }
    }

    private void Move(ProductStage to, ProductStage from)
    {
        if (_stage != from || _failed)
        {
            throw new InvalidOperationException($"Product {Id}: cannot go from {(_failed ? "failed " : "")}{_stage} to {to}.");
        }

        _stage = to;
    }

    private void ClearFailure()
    {
        _failed = false;
        _failedStage = null;
        LastError = null;
    }
}

/// <summary>What a run's source snapshot did to a product, against what the ledger held before.</summary>
public enum ProductChange
{
    Added = 0,
    Changed = 1,
    Unchanged = 2,
}

/// <summary>The stages a product passes, in order; the value is the last one finished.</summary>
public enum ProductStage
{
    Ingested = 0,
    ImageReady = 1,
    Sharded = 2,
    Embedded = 3,
    Indexed = 4,
}
