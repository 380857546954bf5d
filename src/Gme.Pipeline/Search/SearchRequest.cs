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

    public PayloadFilter? Filter => PayloadFilter.From(Filters);
}

/// <summary>One result: the product, its score (cosine, or the fused rank score when several vectors are combined) and its fields.</summary>
public sealed record SearchHit(string ProductId, float Score, IReadOnlyDictionary<string, string?> Payload);
