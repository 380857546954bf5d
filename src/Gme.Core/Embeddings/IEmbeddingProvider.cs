namespace Gme.Core.Embeddings;

/// <summary>
/// A model behind the batch life cycle the pipeline is built on: write a shard, submit it as a job,
/// watch the job, read its results. A local model completes its job inside <see cref="SubmitShardAsync"/>;
/// a remote batch API (Gemini) returns at once and completes later. Queries always go synchronously.
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

    /// <summary>Streams a finished job's results (stage 5).</summary>
    IAsyncEnumerable<EmbeddingResult> ReadResultsAsync(string jobName, CancellationToken cancellationToken = default);

    /// <summary>Embeds a search query into one space.</summary>
    Task<float[]> EmbedQueryAsync(EmbeddingQuery query, string space, CancellationToken cancellationToken = default);
}
