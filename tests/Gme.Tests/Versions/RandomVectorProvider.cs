using System.Runtime.CompilerServices;
using Gme.Core.Embeddings;

namespace Gme.Tests.Versions;

/// <summary>
/// A deliberately broken model for the quality gate: the real provider's batch life cycle, but every vector it returns
/// replaced by a random unit vector of the same size (seeded per product key, so sound and repeatable, and
/// meaningless). It calls itself a local model of its own id, so a run with it builds a new index version for free.
/// </summary>
internal sealed class RandomVectorProvider(IEmbeddingProvider inner) : IEmbeddingProvider
{
    public const string Model = "local/random-vectors";

    public string Name => inner.Name;
    public string ModelId => Model;
    public IReadOnlyList<VectorSpace> Spaces => inner.Spaces;

    public Task<ShardFileInfo> WriteShardAsync(IReadOnlyList<EmbeddingInput> items, string path, CancellationToken cancellationToken = default) =>
        inner.WriteShardAsync(items, path, cancellationToken);

    public Task<string> SubmitShardAsync(string shardId, string shardPath, CancellationToken cancellationToken = default) =>
        inner.SubmitShardAsync(shardId, shardPath, cancellationToken);

    public Task<BatchJobStatus> GetJobStatusAsync(string jobName, CancellationToken cancellationToken = default) =>
        inner.GetJobStatusAsync(jobName, cancellationToken);

    public async IAsyncEnumerable<EmbeddingResult> ReadResultsAsync(string jobName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var result in inner.ReadResultsAsync(jobName, cancellationToken))
        {
            yield return result.Vectors is null
                ? result
                : result with { Vectors = result.Vectors.ToDictionary(kv => kv.Key, kv => Random(result.Key + "/" + kv.Key, kv.Value.Length)) };
        }
    }

    public string? DescribeRelease(string jobName) => inner.DescribeRelease(jobName);

    public Task ReleaseJobAsync(string jobName, string? release, CancellationToken cancellationToken = default) =>
        inner.ReleaseJobAsync(jobName, release, cancellationToken);

    public string DescribeModelChange(string existingModelId) => "Gme:Provider";

    private static float[] Random(string seed, int dimensions)
    {
        var random = new Random(BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed))));
        var vector = new float[dimensions];
        double norm = 0;
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
            norm += vector[i] * vector[i];
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] *= scale;
        }

        return vector;
    }
}
