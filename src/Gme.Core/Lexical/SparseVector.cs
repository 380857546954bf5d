namespace Gme.Core.Lexical;

/// <summary>A sparse vector: term ids (ascending, distinct) and their weights, as Qdrant's sparse vectors take them.</summary>
public sealed record SparseVector(uint[] Indices, float[] Values)
{
    public static SparseVector Empty { get; } = new([], []);

    public int Count => Indices.Length;

    /// <summary>Builds a vector from term weights, ordered by term id.</summary>
    public static SparseVector From(IReadOnlyDictionary<uint, float> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var ordered = weights.OrderBy(w => w.Key).ToArray();
        return new SparseVector(ordered.Select(w => w.Key).ToArray(), ordered.Select(w => w.Value).ToArray());
    }
}
