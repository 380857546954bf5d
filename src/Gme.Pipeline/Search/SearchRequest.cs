using Gme.Core.Vectors;
using Microsoft.Extensions.AI;

namespace Gme.Pipeline.Search;

/// <summary>A product search: text, an image, both, or "similar to product X"; with keyword filters.</summary>
public sealed record SearchRequest
{
    public const int MaxTop = 100;

    public string? Text { get; init; }
    /// <summary>A query image file (CLI); read once into <see cref="Image"/>'s form.</summary>
    public string? ImagePath { get; init; }

    /// <summary>A query image already in memory (an API upload); wins over <see cref="ImagePath"/>.</summary>
    public DataContent? Image { get; init; }
    public string? SimilarTo { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Filters { get; init; } = [];
    public int Top { get; init; } = 10;

    /// <summary>Retrieval for text queries (hybrid by default); image and "similar to" queries are dense.</summary>
    public SearchMode Mode { get; init; } = SearchMode.Hybrid;

    /// <summary>The collection (or alias) to search; <c>Gme:Collection</c> when null.</summary>
    public string? Collection { get; init; }

    public PayloadFilter? Filter => PayloadFilter.From(Filters);
}

/// <summary>
/// One result: the product, its score (cosine, BM25 for a lexical search, or the fused rank score when several legs
/// are combined), its fields, and the legs that found it (<c>dense</c>, <c>lexical</c>; empty when the store fused on
/// its server without saying).
/// </summary>
public sealed record SearchHit(string ProductId, float Score, IReadOnlyDictionary<string, string?> Payload)
{
    public IReadOnlyList<string> Legs { get; init; } = [];
}
