using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Gme.Core.Vectors;
using Microsoft.Win32.SafeHandles;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// Float rows in a scratch file beside the point log, which stays the durable copy: rows are written with positional
/// writes and read through one read-only memory map per chunk. Written pages sit in the page cache, not in this
/// process's resident set, and the kernel can drop and re-read them as it likes.
/// <para>
/// A mapped page counts in the resident set once read and stays there (as with any memory-mapped store): on Linux
/// with large page-cache folios one row read maps up to a megabyte around it, so a search service that answers queries
/// over the whole catalogue ends up with the vector file mapped (~620 MB at 105k x 1536, reclaimable page cache), which
/// is what keeps its searches fast. Reads marked <see cref="OneOffReads"/> (validation, the quality gate, index
/// training) are copied with a positional read instead and map nothing, so a pipeline run's resident set does not grow
/// with its catalogue's vectors. Giving pages back instead (madvise every 4,096 rows read, until 2026-12-01) bounded the
/// run but made every search after a release fault its rows in again: the store's p50 was 8.1 ms instead of 0.27 ms at
/// 100k x 1536 (bench/Gme.Bench.Vectors, the "memory-mapped" row).
/// </para>
/// <para>
/// The file is a cache of the log, rebuilt on every load: on Linux and macOS it is unlinked as soon as it is open
/// (nothing is left behind, even after a SIGKILL); on Windows it is deleted when closed.
/// </para>
/// </summary>
internal sealed unsafe class MappedFloatRows : IFloatRows
{
    /// <summary>
    /// Columns up to this many rows are always read through the map (at most 120 MB at 1536-d): collections under the
    /// quantised search's minimum are scanned whole on every search, and a positional read per row would make a
    /// validation of such a catalogue read every row a thousand times over.
    /// </summary>
    public const int OneOffAboveRows = 20_480;

    [ThreadStatic]
    private static float[]? t_oneOff;

    private readonly SafeFileHandle _file;
    private readonly long _chunkBytes;
    private readonly List<(MemoryMappedFile File, MemoryMappedViewAccessor View, nint Pointer)> _maps = [];
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
            _maps.Add((map, view, (nint)(pointer + view.PointerOffset)));
        }
    }

    public ReadOnlySpan<float> Row(int slot)
    {
        if (OneOffReads.Active && _maps.Count > OneOffAboveRows / VectorColumn.ChunkRows)
        {
            // Valid until this thread's next one-off read: every caller scores or copies the row at once.
            var buffer = t_oneOff is { } b && b.Length == _dimensions ? b : t_oneOff = new float[_dimensions];
            RandomAccess.Read(_file, MemoryMarshal.AsBytes(buffer.AsSpan()), (long)slot * _dimensions * sizeof(float));
            return buffer;
        }

        var start = (float*)_maps[slot / VectorColumn.ChunkRows].Pointer + ((long)(slot % VectorColumn.ChunkRows) * _dimensions);
        return new ReadOnlySpan<float>(start, _dimensions);
    }

    public void Set(int slot, ReadOnlySpan<float> vector) =>
        RandomAccess.Write(_file, MemoryMarshal.AsBytes(vector), (long)slot * _dimensions * sizeof(float));

    public void Dispose()
    {
        foreach (var (map, view, _) in _maps)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            map.Dispose();
        }

        _maps.Clear();
        _file.Dispose();
    }
}
