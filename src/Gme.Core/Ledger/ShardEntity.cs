namespace Gme.Core.Ledger;

/// <summary>A request file and the remote (or local) batch job made from it.</summary>
public sealed class ShardEntity
{
    /// <summary>Derived from the hash of the shard's product ids, so rebuilding the same shard gives the same id.</summary>
    public required string Id { get; set; }
    public Guid RunId { get; set; }
    public required string Path { get; set; }
    public int Items { get; set; }
    public long Bytes { get; set; }
    public long EstimatedTokens { get; set; }
    public ShardState State { get; set; }

    /// <summary>Recorded before the job is created, so a crash after creation can be reconciled by name.</summary>
    public string? DisplayName { get; set; }
    public string? JobName { get; set; }
    public int Attempts { get; set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public DateTime? CollectedAt { get; set; }
    public DateTime? NextPollAt { get; set; }

    /// <summary>
    /// Who is collecting the shard (<see cref="ShardState.Collecting"/>): one token per claim, so two Embedders, or
    /// two messages in one Embedder, never collect the same shard at once. Also the concurrency token of the row.
    /// </summary>
    public Guid? ClaimToken { get; set; }

    /// <summary>When a claim whose holder died may be taken over.</summary>
    public DateTime? ClaimExpiresAt { get; set; }

    /// <summary>
    /// W3C traceparent of the unit of work that built the shard. A poll that asks for the shard to be collected minutes
    /// later starts from it, so the shard's submit, collect and upsert stay in the trace of its batch of products.
    /// </summary>
    public string? TraceParent { get; set; }
}

public enum ShardState
{
    Built = 0,
    Submitting = 1,
    Submitted = 2,
    Collected = 3,
    Failed = 4,

    /// <summary>Claimed by one collector (<see cref="ShardEntity.ClaimToken"/>) until it finishes, fails or its claim expires.</summary>
    Collecting = 5,
}
