namespace Gme.Core.Embeddings;

/// <summary>One line of a job's results: the vectors per space, or the provider's error for that key.</summary>
public sealed record EmbeddingResult(string Key, IReadOnlyDictionary<string, float[]>? Vectors, string? Error);
