using Gme.Core.Embeddings;
using Gme.Core.Vectors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Tests.Search;

/// <summary>
/// A query-only provider for API tests: a bag of words over a fixed vocabulary, so "red dress" lands nearest the
/// red dress. Its <c>image</c> space decodes the photo (with no pixel budget of its own, like a real model's decoder)
/// and embeds its dominant colour as the word red, green or blue.
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
        space == "image" ? Embed(await DominantColourAsync(query.ImagePath!, cancellationToken)) : Embed(query.Text!);

    private static async Task<string> DominantColourAsync(string path, CancellationToken cancellationToken)
    {
        using var image = await Image.LoadAsync<Rgb24>(path, cancellationToken);
        long r = 0, g = 0, b = 0;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var pixel in rows.GetRowSpan(y))
                {
                    (r, g, b) = (r + pixel.R, g + pixel.G, b + pixel.B);
                }
            }
        });
        return r >= g && r >= b ? "red" : g >= b ? "green" : "blue";
    }

    public Task<ShardFileInfo> WriteShardAsync(IReadOnlyList<EmbeddingInput> items, string path, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<string> SubmitShardAsync(string shardId, string shardPath, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<BatchJobStatus> GetJobStatusAsync(string jobName, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public IAsyncEnumerable<EmbeddingResult> ReadResultsAsync(string jobName, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
