using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// Float rows in a scratch file beside the point log, which stays the durable copy: rows are written with positional
/// writes and read through one read-only memory map per chunk. Written pages sit in the page cache, not in this
/// process's resident set, and a search maps in only the rows it rescores, so the floats (~620 MB at 105k x 1536)
/// no longer count against the process; the kernel can drop and re-read them as it likes.
/// <para>
/// Rows a search maps in stay counted in the resident set until unmapped, and a thousand validation searches touch
/// most of them, so in a column of more than <see cref="ReleaseAboveRows"/> rows the views are advised away
/// (MADV_DONTNEED: on a shared file mapping the next read faults the page back from the page cache, the data never
/// changes) once the rows mapped in since the last release would pass <see cref="MappedBudgetBytes"/>. The count is of
/// distinct rows, not reads: a search service whose queries keep landing on the same rows never releases them, because
/// a release is paid by every search after it (each row read faults again, about 1.4 µs a page on this VM). Releasing
/// every 4,096 reads made the index's searches 20x slower (p50 8.1 ms instead of 0.28 ms at 100k x 1536,
/// bench/Gme.Bench.Vectors, the "memory-mapped" row).
/// </para>
/// <para>
/// The file is a cache of the log, rebuilt on every load: on Linux and macOS it is unlinked as soon as it is open
/// (nothing is left behind, even after a SIGKILL); on Windows it is deleted when closed.
/// </para>
/// </summary>
internal sealed unsafe partial class MappedFloatRows : IFloatRows
{
    /// <summary>Bytes of distinct rows mapped in between two releases (43,690 rows at 1536-d).</summary>
    public const long MappedBudgetBytes = 256L << 20;

    /// <summary>
    /// Columns up to this many rows are not released: below the quantised search's minimum they are scanned whole
    /// on every query, which would fault every page back in each time.
    /// </summary>
    public const int ReleaseAboveRows = 20_480;

    private const int MadviseDontNeed = 4;

    private readonly SafeFileHandle _file;
    private readonly long _chunkBytes;
    private readonly List<(MemoryMappedFile File, MemoryMappedViewAccessor View, nint Pointer, nint Mapped, long Length)> _maps = [];
    private readonly int _releaseAfterRows;

    // One bit a row: mapped in since the last release. Set without a lock (searches read concurrently); a race costs at
    // most a row counted twice or once too few, never a wrong read.
    private ulong[] _mapped = [];
    private int _mappedRows;

    private readonly int _dimensions;

    /// <param name="directory">Where the scratch file is made (and at once unlinked).</param>
    /// <param name="dimensions">Floats a row.</param>
    /// <param name="budgetBytes">Bytes of distinct rows mapped in before a release (tests use small ones).</param>
    public MappedFloatRows(string directory, int dimensions, long budgetBytes = MappedBudgetBytes)
    {
        _dimensions = dimensions;
        _releaseAfterRows = (int)Math.Clamp(budgetBytes / ((long)dimensions * sizeof(float)), 1, int.MaxValue);
        _chunkBytes = (long)VectorColumn.ChunkRows * dimensions * sizeof(float);
        var path = Path.Combine(directory, $".floats-{Guid.NewGuid():N}.scratch");
        _file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows())
        {
            File.Delete(path);
        }
    }

    public int Chunks => _maps.Count;

    public void Grow(int chunks)
    {
        for (var i = _maps.Count; i < chunks; i++)
        {
            var offset = i * _chunkBytes;
            RandomAccess.SetLength(_file, offset + _chunkBytes);
            var map = MemoryMappedFile.CreateFromFile(_file, null, offset + _chunkBytes, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            var view = map.CreateViewAccessor(offset, _chunkBytes, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _maps.Add((map, view, (nint)(pointer + view.PointerOffset), (nint)pointer, _chunkBytes + view.PointerOffset));
        }

        if (_mapped.Length * 64 < chunks * VectorColumn.ChunkRows)
        {
            Array.Resize(ref _mapped, chunks * VectorColumn.ChunkRows / 64);
        }
    }

    public ReadOnlySpan<float> Row(int slot)
    {
        // Only a column larger than the release threshold: a smaller one stays mapped whole (its exact scans would
        // otherwise fault every page back in on each query).
        if (_maps.Count > ReleaseAboveRows / VectorColumn.ChunkRows && OperatingSystem.IsLinux())
        {
            CountMapped(slot);
        }

        var start = (float*)_maps[slot / VectorColumn.ChunkRows].Pointer + ((long)(slot % VectorColumn.ChunkRows) * _dimensions);
        return new ReadOnlySpan<float>(start, _dimensions);
    }

    /// <summary>Rows mapped in since the last release (for tests).</summary>
    internal int MappedRows => Volatile.Read(ref _mappedRows);

    private void CountMapped(int slot)
    {
        ref var word = ref _mapped[slot >> 6];
        var bit = 1UL << (slot & 63);
        if ((Volatile.Read(ref word) & bit) != 0 || (Interlocked.Or(ref word, bit) & bit) != 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _mappedRows) >= _releaseAfterRows)
        {
            Interlocked.Exchange(ref _mappedRows, 0);
            Array.Clear(_mapped);
            ReleaseMappedPages();
        }
    }

    public void Set(int slot, ReadOnlySpan<float> vector) =>
        RandomAccess.Write(_file, MemoryMarshal.AsBytes(vector), (long)slot * _dimensions * sizeof(float));

    /// <summary>
    /// Drops every view's pages from this process (not from the page cache). Safe beside readers of a row: a shared
    /// file mapping faults the same bytes back in on the next access.
    /// </summary>
    private void ReleaseMappedPages()
    {
        foreach (var (_, _, _, mapped, length) in _maps)
        {
            _ = Madvise(mapped, (nuint)length, MadviseDontNeed); // advice only: a failure leaves the pages counted
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);

    public void Dispose()
    {
        foreach (var (map, view, _, _, _) in _maps)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            map.Dispose();
        }

        _maps.Clear();
        _file.Dispose();
    }
}
