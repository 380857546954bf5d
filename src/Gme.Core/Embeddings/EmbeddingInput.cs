namespace Gme.Core.Embeddings;

/// <summary>One product as the embedding stages see it.</summary>
/// <param name="Key">The product id; results are matched back by it.</param>
/// <param name="ImagePath">The normalised JPEG in the image cache.</param>
public sealed record EmbeddingInput(string Key, string Text, string ImagePath);
