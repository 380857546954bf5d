namespace Gme.Core.Vectors;

/// <summary>A stored point: id (UUIDv5 of the product id), its named vectors and its payload.</summary>
public sealed record VectorPoint(
    Guid Id,
    IReadOnlyDictionary<string, float[]> Vectors,
    IReadOnlyDictionary<string, string?> Payload);

/// <summary>A search hit. Higher scores are better for every distance (Euclid is negated).</summary>
public sealed record ScoredPoint(Guid Id, float Score, IReadOnlyDictionary<string, string?> Payload);
