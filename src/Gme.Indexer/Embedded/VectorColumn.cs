using System.Numerics.Tensors;
using Gme.Core.Vectors;

namespace Gme.Indexer.Embedded;

/// <summary>
/// One named vector of every point, stored contiguously (slot i at [i * dimensions, (i + 1) * dimensions)) so a scan
/// streams through memory. Cosine vectors are stored normalised, which makes their score a plain dot product.
/// </summary>
internal sealed class VectorColumn(int dimensions, Distance distance)
{
    private float[] _data = [];

    public int Dimensions => dimensions;

    public Distance Distance => distance;

    public void EnsureCapacity(int slots)
    {
        var needed = checked(slots * dimensions);
        if (_data.Length < needed)
        {
            Array.Resize(ref _data, needed);
        }
    }

    public ReadOnlySpan<float> Row(int slot) => _data.AsSpan(slot * dimensions, dimensions);

    public void Set(int slot, ReadOnlySpan<float> vector)
    {
        if (vector.Length != dimensions)
        {
            throw new InvalidDataException($"A stored vector has {vector.Length} dimensions where the collection has {dimensions}.");
        }

        vector.CopyTo(_data.AsSpan(slot * dimensions, dimensions));
    }

    /// <summary>Higher is better: dot product (cosine on normalised vectors) or negated Euclidean distance.</summary>
    public float Score(int slot, ReadOnlySpan<float> query) => distance == Distance.Euclid
        ? -TensorPrimitives.Distance(Row(slot), query)
        : TensorPrimitives.Dot(Row(slot), query);
}
