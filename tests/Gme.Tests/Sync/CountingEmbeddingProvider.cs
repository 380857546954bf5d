using System.Collections.Concurrent;
using Gme.Core.Embeddings;

namespace Gme.Tests.Sync;

/// <summary>
/// Wraps the real provider and records every product key handed to it for embedding (each item of each shard it
/// writes), so a test can tell which products cost a provider request and which never reached it.
/// </summary>
internal sealed class CountingEmbeddingProvider(IEmbeddingProvider inner) : IEmbeddingProvider
{
    private readonly ConcurrentQueue<string> _keys = new();

    public IReadOnlyList<string> Keys => [.. _keys];

    public string Name => inner.Name;
    public string ModelId => inner.ModelId;
    public IReadOnlyList<VectorSpace> Spaces => inner.Spaces;

    public Task<ShardFileInfo> WriteShardAsync(IReadOnlyList<EmbeddingInput> items, string path, CancellationToken cancellationToken = default)
    {
        foreach (var item in items)
        {
            _keys.Enqueue(item.Key);
        }

        return inner.WriteShardAsync(items, path, cancellationToken);
    }

    public Task<string> SubmitShardAsync(string shardId, string shardPath, CancellationToken cancellationToken = default) =>
        inner.SubmitShardAsync(shardId, shardPath, cancellationToken);

    public Task<BatchJobStatus> GetJobStatusAsync(string jobName, CancellationToken cancellationToken = default) =>
        inner.GetJobStatusAsync(jobName, cancellationToken);

    public IAsyncEnumerable<EmbeddingResult> ReadResultsAsync(string jobName, CancellationToken cancellationToken = default) =>
        inner.ReadResultsAsync(jobName, cancellationToken);

    public string? DescribeRelease(string jobName) => inner.DescribeRelease(jobName);

    public Task ReleaseJobAsync(string jobName, string? release, CancellationToken cancellationToken = default) =>
        inner.ReleaseJobAsync(jobName, release, cancellationToken);

    public Task<int> SweepRemoteStorageAsync(IReadOnlySet<string> liveShardIds, CancellationToken cancellationToken = default) =>
        inner.SweepRemoteStorageAsync(liveShardIds, cancellationToken);

    public string DescribeModelChange(string existingModelId) => inner.DescribeModelChange(existingModelId);
}
