namespace Gme.Core.Embeddings;

/// <summary>
/// A model behind the batch life cycle the pipeline is built on: write a shard, submit it as a job,
/// watch the job, read its results. A local model completes its job inside <see cref="SubmitShardAsync"/>;
/// a remote batch API (Gemini) returns at once and completes later. Queries are not part of it: they go synchronously
/// through the provider's Microsoft.Extensions.AI generators (<see cref="QueryEmbedders"/>), so a query-only host or
/// fake needs none of this life cycle.
/// </summary>
public interface IEmbeddingProvider
{
    /// <summary>Short provider name, e.g. <c>local</c> or <c>gemini</c>.</summary>
    string Name { get; }

    /// <summary>Model identity and version written next to every vector, so mixed models are detectable.</summary>
    string ModelId { get; }

    /// <summary>The named vectors produced for every product.</summary>
    IReadOnlyList<VectorSpace> Spaces { get; }

    /// <summary>Writes the request file for these items (stage 3). Must be deterministic for the same items.</summary>
    Task<ShardFileInfo> WriteShardAsync(IReadOnlyList<EmbeddingInput> items, string path, CancellationToken cancellationToken = default);

    /// <summary>Starts a batch job for a shard file and returns the job's name (stage 4).</summary>
    /// <param name="shardId">Deterministic id; used as the remote display name to reconcile after a crash.</param>
    Task<string> SubmitShardAsync(string shardId, string shardPath, CancellationToken cancellationToken = default);

    Task<BatchJobStatus> GetJobStatusAsync(string jobName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams a finished job's results (stage 5). Reading has no irreversible effect: nothing is deleted or recorded
    /// as spent here, so a collect whose commit fails can read again. What must follow a successful collect is described
    /// by <see cref="DescribeRelease"/> and carried out by <see cref="ReleaseJobAsync"/> after the commit.
    /// Throws <see cref="JobResultsLostException"/> when the job's results no longer exist (lost work, resubmit).
    /// </summary>
    IAsyncEnumerable<EmbeddingResult> ReadResultsAsync(string jobName, CancellationToken cancellationToken = default);

    /// <summary>
    /// After <see cref="ReadResultsAsync"/>: an opaque description of what releasing the job must do (remote files to
    /// delete, spend to record), committed with the collect in the ledger outbox. Null when there is nothing to add.
    /// </summary>
    string? DescribeRelease(string jobName) => null;

    /// <summary>
    /// Carries out a job's release after its collect was committed: deletes what the job left behind (remote or local
    /// files) and records its spend. Idempotent: something already gone counts as done.
    /// </summary>
    Task ReleaseJobAsync(string jobName, string? release, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// Deletes remote storage that no live shard uses any more (end of a run, `gme cleanup`). Returns the number of
    /// objects deleted. <paramref name="liveShardIds"/> are the shards of this ledger not yet collected or failed.
    /// </summary>
    Task<int> SweepRemoteStorageAsync(IReadOnlySet<string> liveShardIds, CancellationToken cancellationToken = default) => Task.FromResult(0);

    /// <summary>
    /// The setting a user changed when the data dir holds vectors of <paramref name="existingModelId"/> and this
    /// provider writes <see cref="ModelId"/> (named in the refusal at start).
    /// </summary>
    string DescribeModelChange(string existingModelId) => "Gme:Provider";
}
