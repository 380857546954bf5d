using System.Buffers;

namespace Gme.Core.VectorFiles;

/// <summary>
/// The flat row-group arrays of vector files (values, definition and repetition levels: ~6 MB each per 1,024 rows at
/// 1536-d), rented instead of allocated. Every collect, upsert and validation reads or writes them, and allocated fresh
/// they land on the large-object heap, which is only collected with gen2: on a 105k run they were hundreds of MB of
/// garbage at the peak. A small dedicated pool keeps a few of each size; more readers at once allocate as before.
/// </summary>
internal static class VectorFileBuffers
{
    // Up to 4M elements (a 1,024-row group of 3072-d vectors); larger groups allocate.
    private const int MaxPooledLength = 1 << 22;
    private const int ArraysPerSize = 2;

    public static ArrayPool<float> Floats { get; } = ArrayPool<float>.Create(MaxPooledLength, ArraysPerSize);

    public static ArrayPool<int> Levels { get; } = ArrayPool<int>.Create(MaxPooledLength, ArraysPerSize * 2);
}
