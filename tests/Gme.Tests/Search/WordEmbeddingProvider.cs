using Gme.Core.Embeddings;
using Gme.Core.Vectors;

namespace Gme.Tests.Search;

/// <summary>
/// A query-only provider for API tests: a bag of words over a fixed vocabulary, so "red dress" lands nearest the
/// red dress. Its <c>image</c> space reads an uploaded "photo" as words too, which lets tests upload images cheaply.
/// </summary>
internal sealed class WordEmbeddingProvider : IEmbeddingProvider
{
    public static readonly string[] Vocabulary = ["red", "blue", "green", "dress", "shirt", "shoe", "cotton", "wool"];

    public string Name => "words";

    public string ModelId => "words-v1";

    public IReadOnlyList<VectorSpace> Spaces { get; } =
    [
        new("text", Vocabulary.Length, Distance.Cosine, Modality.Text, Modality.Text),
        new("image", Vocabulary.Length, Distance.Cosine, Modality.Image, Modality.Image),
    ];

    public static float[] Embed(string text)
    {
        var words = text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var vector = Vocabulary.Select(v => words.Contains(v) ? 1f : 0.05f).ToArray();
        return vector;
    }

    public async Task<float[]> EmbedQueryAsync(EmbeddingQuery query, string space, CancellationToken cancellationToken = default) =>
        space == "image" ? Embed(await File.ReadAllTextAsync(query.ImagePath!, cancellationToken)) : Embed(query.Text!);

    public Task<ShardFileInfo> WriteShardAsync(IReadOnlyList<EmbeddingInput> items, string path, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<string> SubmitShardAsync(string shardId, string shardPath, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<BatchJobStatus> GetJobStatusAsync(string jobName, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public IAsyncEnumerable<EmbeddingResult> ReadResultsAsync(string jobName, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
