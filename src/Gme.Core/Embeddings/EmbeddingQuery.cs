namespace Gme.Core.Embeddings;

/// <summary>A search query: text, an image file, or both.</summary>
public sealed record EmbeddingQuery(string? Text, string? ImagePath)
{
    public Modality Modality =>
        (string.IsNullOrWhiteSpace(Text) ? Modality.None : Modality.Text)
        | (ImagePath is null ? Modality.None : Modality.Image);
}
