using System.Numerics;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// One named vector of every point, stored contiguously (slot i at [i * dimensions, (i + 1) * dimensions)) so a scan
/// streams through memory. Cosine vectors are stored normalised, which makes their score a plain dot product.
/// Beside the floats, each row's sign bits (one bit per dimension, packed in ulongs) feed the quantised scan.
/// </summary>
internal sealed class VectorColumn(int dimensions, Distance distance)
{
    private readonly int _words = (dimensions + 63) / 64;
    private float[] _data = [];
    private ulong[] _bits = [];

    public int Dimensions => dimensions;

    /// <summary>ulongs of sign bits per row.</summary>
    public int Words => _words;

    /// <summary>Sign bits order points by angle, so they stand in for cosine and dot scores, not for Euclidean distance.</summary>
    public bool Quantizable => distance != Distance.Euclid;

    public Distance Distance => distance;

    public void EnsureCapacity(int slots)
    {
        var needed = checked(slots * dimensions);
        if (_data.Length < needed)
        {
            Array.Resize(ref _data, needed);
            Array.Resize(ref _bits, checked(slots * _words));
        }
    }

    public ReadOnlySpan<ulong> Bits(int slot) => _bits.AsSpan(slot * _words, _words);

    /// <summary>Sign bits of <paramref name="vector"/>: bit i set when component i is positive.</summary>
    public static void Quantize(ReadOnlySpan<float> vector, Span<ulong> bits)
    {
        bits.Clear();
        for (var i = 0; i < vector.Length; i++)
        {
            if (vector[i] > 0)
            {
                bits[i >> 6] |= 1UL << (i & 63);
            }
        }
    }

    /// <summary>Differing sign bits between a row and the query's bits: lower is nearer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Hamming(int slot, ReadOnlySpan<ulong> query) => Hamming(_bits.AsSpan(slot * _words, _words), query);

    /// <summary>Differing bits between two codes of the same length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Hamming(ReadOnlySpan<ulong> row, ReadOnlySpan<ulong> query)
    {
        // The hot loop of the quantised scan: four independent sums keep several popcounts in flight at once.
        int a = 0, b = 0, c = 0, d = 0;
        var i = 0;
        for (; i + 4 <= row.Length; i += 4)
        {
            a += BitOperations.PopCount(row[i] ^ query[i]);
            b += BitOperations.PopCount(row[i + 1] ^ query[i + 1]);
            c += BitOperations.PopCount(row[i + 2] ^ query[i + 2]);
            d += BitOperations.PopCount(row[i + 3] ^ query[i + 3]);
        }

        for (; i < row.Length; i++)
        {
            a += BitOperations.PopCount(row[i] ^ query[i]);
        }

        return a + b + c + d;
    }

    public ReadOnlySpan<float> Row(int slot) => _data.AsSpan(slot * dimensions, dimensions);

    public void Set(int slot, ReadOnlySpan<float> vector)
    {
        if (vector.Length != dimensions)
        {
            throw new InvalidDataException($"A stored vector has {vector.Length} dimensions where the collection has {dimensions}.");
        }

        vector.CopyTo(_data.AsSpan(slot * dimensions, dimensions));
        Quantize(vector, _bits.AsSpan(slot * _words, _words));
    }

    /// <summary>Higher is better: dot product (cosine on normalised vectors) or negated Euclidean distance.</summary>
    public float Score(int slot, ReadOnlySpan<float> query) => distance == Distance.Euclid
        ? -TensorPrimitives.Distance(Row(slot), query)
        : TensorPrimitives.Dot(Row(slot), query);
}
