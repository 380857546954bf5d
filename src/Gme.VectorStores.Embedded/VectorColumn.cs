using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// One named vector of every point, in chunks of <see cref="ChunkRows"/> rows (slot i in chunk i / ChunkRows), so a
/// scan streams through memory while growth adds a chunk instead of copying everything into an array twice the size
/// (which held both copies at once, ~1.2 GB at 100k x 1536, and left up to half of the new one unused). The chunks
/// are managed arrays or, for a collection on disk, a memory-mapped scratch file (<see cref="IFloatRows"/>).
/// Cosine vectors are stored normalised, which makes their score a plain dot product.
/// Beside the floats, each row's sign bits (one bit per dimension, packed in ulongs) feed the quantised scan; they
/// are 1/32 of the floats and always resident.
/// </summary>
internal sealed class VectorColumn(int dimensions, Distance distance, IFloatRows? rows = null) : IDisposable
{
    private readonly int _words = (dimensions + 63) / 64;
    public const int ChunkRows = 1024;

    private readonly IFloatRows _rows = rows ?? new ManagedFloatRows(dimensions);
    private ulong[] _bits = [];

    public int Dimensions => dimensions;

    /// <summary>ulongs of sign bits per row.</summary>
    public int Words => _words;

    /// <summary>Sign bits order points by angle, so they stand in for cosine and dot scores, not for Euclidean distance.</summary>
    public bool Quantizable => distance != Distance.Euclid;

    public Distance Distance => distance;

    public void EnsureCapacity(int slots)
    {
        var chunks = (slots + ChunkRows - 1) / ChunkRows;
        if (_rows.Chunks < chunks)
        {
            _rows.Grow(chunks);
        }

        // The codes are small (1/32 of the floats): they double, so growing one slot at a time stays amortised O(1).
        if (_bits.Length < checked(slots * _words))
        {
            Array.Resize(ref _bits, Math.Max(slots * _words, 2 * _bits.Length));
        }
    }

    public ReadOnlySpan<ulong> Bits(int slot) => _bits.AsSpan(slot * _words, _words);

    /// <summary>Sign bits of <paramref name="vector"/>: bit i set when component i is positive (not NaN, not -0).</summary>
    public static void Quantize(ReadOnlySpan<float> vector, Span<ulong> bits)
    {
        bits.Clear();
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Eight comparisons at once, their sign masks packed a byte at a time: every query starts with this, and
            // one branch per component was a sixth of a filtered search's probe phase (bench/Gme.Bench.Vectors).
            ref var start = ref MemoryMarshal.GetReference(vector);
            for (; i + 64 <= vector.Length; i += 64)
            {
                ulong word = 0;
                for (var j = 0; j < 64; j += Vector256<float>.Count)
                {
                    var positive = Vector256.GreaterThan(Vector256.LoadUnsafe(ref start, (nuint)(i + j)), Vector256<float>.Zero);
                    word |= (ulong)positive.ExtractMostSignificantBits() << j;
                }

                bits[i >> 6] = word;
            }
        }

        for (; i < vector.Length; i++)
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

    public ReadOnlySpan<float> Row(int slot) => _rows.Row(slot);

    public void Set(int slot, ReadOnlySpan<float> vector)
    {
        if (vector.Length != dimensions)
        {
            throw new InvalidDataException($"A stored vector has {vector.Length} dimensions where the collection has {dimensions}.");
        }

        _rows.Set(slot, vector);
        Quantize(vector, _bits.AsSpan(slot * _words, _words));
    }

    /// <summary>Higher is better: dot product (cosine on normalised vectors) or negated Euclidean distance.</summary>
    public float Score(int slot, ReadOnlySpan<float> query) => distance == Distance.Euclid
        ? -TensorPrimitives.Distance(Row(slot), query)
        : TensorPrimitives.Dot(Row(slot), query);

    public void Dispose() => _rows.Dispose();
}
