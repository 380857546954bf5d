using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// Float rows in a scratch file beside the point log, which stays the durable copy: rows are written with positional
/// writes and read through one read-only memory map per chunk. Written pages sit in the page cache, not in this
/// process's resident set, and a search maps in only the rows it rescores, so the floats (~620 MB at 105k x 1536)
/// no longer count against the process; the kernel can drop and re-read them as it likes. Rows a search maps in would
/// stay counted in the resident set until unmapped (a thousand validation searches touch most of them), so in a
/// column of more than <see cref="ReleaseAboveRows"/> rows, after every <see cref="ReleaseAfterRows"/> rows read, the views are advised away (MADV_DONTNEED: on a shared file
/// mapping the next read faults the page back from the page cache, the data never changes), which bounds them to
/// about 25 MB at 1536-d.
/// <para>
/// The file is a cache of the log, rebuilt on every load: on Linux and macOS it is unlinked as soon as it is open
/// (nothing is left behind, even after a SIGKILL); on Windows it is deleted when closed.
/// </para>
/// </summary>
internal sealed unsafe partial class MappedFloatRows : IFloatRows
{
    /// <summary>Rows read between two releases of the mapped pages (~25 MB of them at 1536-d).</summary>
    public const int ReleaseAfterRows = 4_096;

    /// <summary>
    /// Columns up to this many rows are not released: below the quantised search's minimum they are scanned whole
    /// on every query, which would fault every page back in each time.
    /// </summary>
    public const int ReleaseAboveRows = 20_480;

    private const int MadviseDontNeed = 4;

    private readonly SafeFileHandle _file;
    private readonly long _chunkBytes;
    private readonly List<(MemoryMappedFile File, MemoryMappedViewAccessor View, nint Pointer, nint Mapped, long Length)> _maps = [];
    private int _rowsRead;

    private readonly int _dimensions;

    public MappedFloatRows(string directory, int dimensions)
    {
        _dimensions = dimensions;
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
    }

    public ReadOnlySpan<float> Row(int slot)
    {
        // Only a column larger than the release interval: a smaller one stays mapped whole (its exact scans would
        // otherwise fault every page back in on each query).
        if (_maps.Count > ReleaseAboveRows / VectorColumn.ChunkRows && Interlocked.Increment(ref _rowsRead) >= ReleaseAfterRows && OperatingSystem.IsLinux())
        {
            Interlocked.Exchange(ref _rowsRead, 0);
            ReleaseMappedPages();
        }

        var start = (float*)_maps[slot / VectorColumn.ChunkRows].Pointer + ((long)(slot % VectorColumn.ChunkRows) * _dimensions);
        return new ReadOnlySpan<float>(start, _dimensions);
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
