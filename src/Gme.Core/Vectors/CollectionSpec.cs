namespace Gme.Core.Vectors;

/// <summary>Size and distance of one named vector.</summary>
public sealed record VectorSpec(int Dimensions, Distance Distance);

/// <summary>A collection: its named vectors and the payload keys that get a keyword index.</summary>
public sealed record CollectionSpec(
    string Name,
    IReadOnlyDictionary<string, VectorSpec> Vectors,
    IReadOnlyList<string> KeywordIndexes);
