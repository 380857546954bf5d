using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Ledger;

/// <summary>
/// A request file and the remote (or local) batch job made from it. Its life (<see cref="State"/>, the claim and the
/// job fields that go with a state) changes only through the methods below, and the bulk claim updates only through
/// the static methods here; an illegal move throws <see cref="InvalidOperationException"/> naming shard, from and to.
/// </summary>
public sealed class ShardEntity
{
    private ShardState _state;

    /// <summary>Derived from the hash of the shard's product ids, so rebuilding the same shard gives the same id.</summary>
    public required string Id { get; set; }
    public Guid RunId { get; set; }
    public required string Path { get; set; }
    public int Items { get; set; }
    public long Bytes { get; set; }
    public long EstimatedTokens { get; set; }

    /// <summary>Set when the shard is created (Built); afterwards only by the transition methods.</summary>
    public ShardState State
    {
        get => _state;
        init => _state = value;
    }

    /// <summary>Recorded before the job is created, so a crash after creation can be reconciled by name.</summary>
    public string? DisplayName { get; set; }
    public string? JobName { get; set; }
    public int Attempts { get; set; }

    /// <summary>
    /// How many times a job of this shard ended without results and the shard was submitted again; the provider puts
    /// the attempt (this + 1) in remote names, so a batch of an earlier, lost attempt is never adopted.
    /// </summary>
    public int Resubmits { get; private set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public DateTime? CollectedAt { get; set; }
    public DateTime? NextPollAt { get; set; }

    /// <summary>
    /// Who is submitting (<see cref="ShardState.Submitting"/>) or collecting (<see cref="ShardState.Collecting"/>) the
    /// shard: one token per claim, so two Embedders, or two messages in one Embedder, never submit or collect the same
    /// shard at once. Also the concurrency token of the row.
    /// </summary>
    public Guid? ClaimToken { get; set; }

    /// <summary>When a claim whose holder died may be taken over.</summary>
    public DateTime? ClaimExpiresAt { get; set; }

    /// <summary>
    /// W3C traceparent of the unit of work that built the shard. A poll that asks for the shard to be collected minutes
    /// later starts from it, so the shard's submit, collect and upsert stay in the trace of its batch of products.
    /// </summary>
    public string? TraceParent { get; set; }

    /// <summary>The same items (same content) come back after an earlier shard of them ended: start its life again.</summary>
    public void Rebuild(Guid runId, string? traceParent)
    {
        Move(ShardState.Built, ShardState.Failed, ShardState.Collected, ShardState.Submitted, ShardState.Submitting, ShardState.Collecting);
        JobName = null;
        Error = null;
        Attempts = 0;
        Resubmits = 0;
        RunId = runId;
        TraceParent = traceParent;
        ClearClaim();
    }

    /// <summary>
    /// The intent to submit, taken as a claim in one conditional update committed before the provider is called: a
    /// built shard, or one left submitting by a holder that handed its claim back, died (its claim released by recovery)
    /// or let its claim expire. True when this caller holds the claim; two deliveries of one ShardBuilt (a redelivery,
    /// the outbox sweeper, a re-announcement) never call the provider at once, since the loser finds the claim taken.
    /// </summary>
    public static async Task<bool> TryClaimSubmitAsync(IQueryable<ShardEntity> shards, string shardId, Guid token, DateTime now, DateTime expires,
        CancellationToken cancellationToken) =>
        await shards
            .Where(s => s.Id == shardId
                && (s.State == ShardState.Built
                    || (s.State == ShardState.Submitted && s.JobName == null)
                    || (s.State == ShardState.Submitting && (s.ClaimToken == null || s.ClaimExpiresAt < now))))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.State, ShardState.Submitting)
                .SetProperty(s => s.DisplayName, s => s.Id)
                .SetProperty(s => s.Attempts, s => s.Attempts + 1)
                .SetProperty(s => s.ClaimToken, token)
                .SetProperty(s => s.ClaimExpiresAt, expires), cancellationToken) > 0;

    /// <summary>
    /// Hands back a submit claim (the provider call failed; the retry of the message claims it again at once). The
    /// shard stays submitting: the provider reconciles by display name in case the job was created after all.
    /// </summary>
    public static Task<int> ReleaseSubmitClaimAsync(IQueryable<ShardEntity> shards, string shardId, Guid token, CancellationToken cancellationToken) =>
        shards.Where(s => s.Id == shardId && s.State == ShardState.Submitting && s.ClaimToken == token)
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.ClaimToken, (Guid?)null)
                .SetProperty(s => s.ClaimExpiresAt, (DateTime?)null), cancellationToken);

    /// <summary>The provider refused before anything was sent (a cost cap): the shard waits as built.</summary>
    public void CancelSubmit()
    {
        Move(ShardState.Built, ShardState.Submitting);
        Attempts--;
        ClearClaim();
    }

    public void MarkSubmitted(string jobName, DateTime now)
    {
        Move(ShardState.Submitted, ShardState.Submitting);
        JobName = jobName;
        SubmittedAt = now;
        ClearClaim();
    }

    /// <summary>The claimed job is not finished: hand the claim back and poll again later.</summary>
    public void Release(DateTime nextPollAt)
    {
        Move(ShardState.Submitted, ShardState.Collecting);
        ClearClaim();
        NextPollAt = nextPollAt;
    }

    /// <summary>The results are in a vector file.</summary>
    public void Collect(DateTime now)
    {
        Move(ShardState.Collected, ShardState.Collecting);
        CollectedAt ??= now;
        NextPollAt = null;
        Error = null;
        ClearClaim();
    }

    /// <summary>The job ended without results but attempts are left: build (and submit) it again.</summary>
    public void Retry(string error)
    {
        Move(ShardState.Built, ShardState.Collecting);
        Error = error;
        JobName = null;
        Resubmits++;
        ClearClaim();
    }

    /// <summary>Out of attempts: the shard fails for good (its products are failed by the caller).</summary>
    public void Fail(string reason)
    {
        Move(ShardState.Failed, ShardState.Collecting);
        Error = reason;
        ClearClaim();
    }

    /// <summary>Its vector file was lost or corrupt: collect the (still held) results again.</summary>
    public void Recollect()
    {
        Move(ShardState.Submitted, ShardState.Collected);
        ClearClaim();
    }

    /// <summary>
    /// Claims the shard for one collector, in one conditional update: a submitted shard, or one whose claim expired.
    /// True when this caller holds the claim.
    /// </summary>
    public static async Task<bool> TryClaimAsync(IQueryable<ShardEntity> shards, string shardId, Guid token, DateTime now, DateTime expires,
        CancellationToken cancellationToken) =>
        await shards
            .Where(s => s.Id == shardId && s.JobName != null
                && (s.State == ShardState.Submitted || (s.State == ShardState.Collecting && s.ClaimExpiresAt < now)))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.State, ShardState.Collecting)
                .SetProperty(s => s.ClaimToken, token)
                .SetProperty(s => s.ClaimExpiresAt, expires), cancellationToken) > 0;

    /// <summary>Hands back one claim, only if it is still the caller's (same token).</summary>
    public static Task<int> ReleaseClaimAsync(IQueryable<ShardEntity> shards, string shardId, Guid token, CancellationToken cancellationToken) =>
        ReleaseClaims(shards.Where(s => s.Id == shardId && s.ClaimToken == token), cancellationToken);

    /// <summary>
    /// Hands back every claim, collect and submit alike (after a crash of the one Embedder, embedded profile). A shard
    /// left submitting stays so, unclaimed: its next ShardBuilt submits it, reconciling by display name.
    /// </summary>
    public static async Task<int> ReleaseAllClaimsAsync(IQueryable<ShardEntity> shards, CancellationToken cancellationToken) =>
        await ReleaseClaims(shards, cancellationToken)
        + await shards.Where(s => s.State == ShardState.Submitting && s.ClaimToken != null)
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.ClaimToken, (Guid?)null)
                .SetProperty(s => s.ClaimExpiresAt, (DateTime?)null), cancellationToken);

    private static Task<int> ReleaseClaims(IQueryable<ShardEntity> shards, CancellationToken cancellationToken) =>
        shards.Where(s => s.State == ShardState.Collecting)
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.State, ShardState.Submitted)
                .SetProperty(s => s.ClaimToken, (Guid?)null)
                .SetProperty(s => s.ClaimExpiresAt, (DateTime?)null), cancellationToken);

    private void ClearClaim()
    {
        ClaimToken = null;
        ClaimExpiresAt = null;
    }

    private void Move(ShardState to, params ShardState[] from)
    {
        if (!from.Contains(_state))
        {
            throw new InvalidOperationException($"Shard {Id}: cannot go from {_state} to {to}.");
        }

        _state = to;
    }
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
