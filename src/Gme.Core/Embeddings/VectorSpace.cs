using Gme.Core.Vectors;

namespace Gme.Core.Embeddings;

/// <summary>
/// One named vector a provider produces per product, e.g. <c>text</c> (384-d) and <c>image</c> (512-d) for the
/// local model, or a single <c>product</c> space for Gemini, which embeds text and image together.
/// </summary>
/// <param name="Name">The named vector in the collection and the column in the Parquet files.</param>
/// <param name="Embeds">The parts of a product that go into this vector.</param>
/// <param name="Queries">The kinds of query that can be embedded into this space.</param>
public sealed record VectorSpace(string Name, int Dimensions, Distance Distance, Modality Embeds, Modality Queries);
