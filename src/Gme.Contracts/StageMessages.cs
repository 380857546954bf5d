namespace Gme.Contracts;

/// <summary>Stage 1 stored a chunk of products in the ledger.</summary>
public sealed record ProductsIngested
{
    public required Guid RunId { get; init; }
    public required int ChunkNumber { get; init; }
    public required IReadOnlyList<string> ProductIds { get; init; }

    /// <summary>
    /// The catalogue the products belong to (the run's collection): product ids are unique per collection only, so
    /// every consumer looks them up in this one. Null in messages from before catalogues were named: the run's.
    /// </summary>
    public string? Collection { get; init; }
}

/// <summary>Stage 2 finished a chunk: the listed products have their image in the cache (failures are in the ledger).</summary>
public sealed record ImagesDownloaded
{
    public required Guid RunId { get; init; }
    public required IReadOnlyList<string> ProductIds { get; init; }
    public required int Failed { get; init; }

    /// <summary>
    /// The catalogue the products belong to (the run's collection): product ids are unique per collection only, so
    /// every consumer looks them up in this one. Null in messages from before catalogues were named: the run's.
    /// </summary>
    public string? Collection { get; init; }
}

/// <summary>Stage 3 wrote a shard file and recorded its items in the ledger.</summary>
public sealed record ShardBuilt
{
    public required Guid RunId { get; init; }
    public required string ShardId { get; init; }
    public required int Items { get; init; }
}

/// <summary>Stage 4 handed a shard to the embedding provider as a batch job.</summary>
public sealed record ShardSubmitted
{
    public required Guid RunId { get; init; }
    public required string ShardId { get; init; }
    public required string JobName { get; init; }
}

/// <summary>Command to stage 5: look at a submitted job and collect its results if it is done.</summary>
public sealed record CollectShard
{
    public required Guid RunId { get; init; }
    public required string ShardId { get; init; }
}

/// <summary>Stage 5 wrote a shard's vectors to a Parquet file.</summary>
public sealed record EmbeddingsCollected
{
    public required Guid RunId { get; init; }
    public required string ShardId { get; init; }
    public required string VectorFileId { get; init; }
    public required string Path { get; init; }
    public required string Sha256 { get; init; }
    public required int Rows { get; init; }
    public required string ModelVersion { get; init; }
}

/// <summary>Stage 6 made sure the run's collection exists with the provider's vector spaces.</summary>
public sealed record CollectionInitialized
{
    public required Guid RunId { get; init; }
    public required string Collection { get; init; }
}

/// <summary>Stage 7 upserted one vector file into the vector store.</summary>
public sealed record VectorsUpserted
{
    public required Guid RunId { get; init; }
    public required string VectorFileId { get; init; }
    public required int Points { get; init; }
}

/// <summary>
/// Command, committed with a shard's collect: carry out what must only happen once the collect is safe in the ledger
/// (delete the job's remote files, record its spend). Idempotent; <see cref="Release"/> is the provider's own description.
/// </summary>
public sealed record ReleaseRemoteJob
{
    public required Guid RunId { get; init; }
    public required string ShardId { get; init; }
    public required string JobName { get; init; }
    public string? Release { get; init; }
}

/// <summary>Stage 5 gave up on a shard after its attempts; its products are failed in the ledger.</summary>
public sealed record ShardFailed
{
    public required Guid RunId { get; init; }
    public required string ShardId { get; init; }
    public required string Reason { get; init; }
}

/// <summary>
/// Command, committed with the ingest that took products out of the live catalogue (a snapshot no longer held them):
/// remove their points from the run's collection and their rows from the current vector files. Idempotent; the
/// ledger names the products (removed, not yet purged).
/// </summary>
public sealed record ProductsRemoved
{
    public required Guid RunId { get; init; }
    public required int Products { get; init; }

    /// <summary>
    /// The catalogue to remove them from (the run's collection): product ids are unique per collection only, so
    /// every consumer looks them up in this one. Null in messages from before catalogues were named: the run's.
    /// </summary>
    public string? Collection { get; init; }
}

/// <summary>The removal stage took every removed product of the run out of the index and the vector files.</summary>
public sealed record ProductsPurged
{
    public required Guid RunId { get; init; }
    public required int Products { get; init; }
}
