using Gme.Core.Embeddings;
using Gme.Core.Vectors;
using Microsoft.Extensions.AI;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Tests.Search;

/// <summary>
/// Query generators for API tests: a bag of words over a fixed vocabulary, so "red dress" lands nearest the red dress.
/// Its <c>image</c> space decodes the photo (with no pixel budget of its own, like a real model's decoder) and embeds
/// its dominant colour as the word red, green or blue. Query-only: it has no batch side to stub.
/// </summary>
internal static class WordEmbeddingProvider
{
    public static readonly string[] Vocabulary = ["red", "blue", "green", "dress", "shirt", "shoe", "cotton", "wool"];

    public static IReadOnlyList<VectorSpace> Spaces { get; } =
    [
        new("text", Vocabulary.Length, Distance.Cosine, Modality.Text, Modality.Text),
        new("image", Vocabulary.Length, Distance.Cosine, Modality.Image, Modality.Image),
    ];

    private static readonly EmbeddingGeneratorMetadata s_metadata = new("words", null, "words-v1", Vocabulary.Length);

    /// <summary>The generators; when <paramref name="unavailable"/>, every query fails as a model past its deadline does.</summary>
    public static QueryEmbedders Queries(bool unavailable = false) => new("words",
    [
        new("text", Text: new QueryEmbeddingGenerator<string>(s_metadata, (text, _) => unavailable ? Unavailable() : Task.FromResult(Embed(text)))),
        new("image", Image: new QueryEmbeddingGenerator<DataContent>(
            s_metadata, (image, _) => unavailable ? Unavailable() : Task.FromResult(Embed(DominantColour(image.Data))))),
    ]);

    public static float[] Embed(string text)
    {
        var words = text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var vector = Vocabulary.Select(v => words.Contains(v) ? 1f : 0.05f).ToArray();
        return vector;
    }

    private static Task<float[]> Unavailable() =>
        throw new EmbeddingUnavailableException("words could not embed the query within 1 s: 429 RESOURCE_EXHAUSTED");

    private static string DominantColour(ReadOnlyMemory<byte> encoded)
    {
        using var image = Image.Load<Rgb24>(encoded.Span);
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
}
