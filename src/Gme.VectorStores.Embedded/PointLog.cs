using System.Buffers;
using Gme.Core.Storage;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// The append-only file that makes a collection durable. It starts with a header (magic and a generation id that
/// changes whenever the file is rewritten by compaction) followed by framed records. Readers in other processes use
/// the generation to tell an appended file (read the new tail) from a replaced one (reload it all).
/// </summary>
internal static class PointLog
{
    public const int HeaderSize = 24;

    private const int CompactionChunkBytes = 1 << 20;

    private static readonly byte[] s_magic = "GMEVLOG1"u8.ToArray();

    /// <summary>Writes a whole new log (a fresh one, or a compacted one) atomically; returns its generation and length.</summary>
    public static async Task<(Guid Generation, long Length)> WriteNewAsync(
        string path,
        IEnumerable<LogRecord> records,
        CancellationToken cancellationToken)
    {
        var generation = Guid.NewGuid();
        long length = 0;
        await AtomicFile.WriteAsync(
            path,
            async stream =>
            {
                var header = new byte[HeaderSize];
                s_magic.CopyTo(header, 0);
                generation.TryWriteBytes(header.AsSpan(s_magic.Length));
                await stream.WriteAsync(header, cancellationToken);
                length = HeaderSize;

                using var chunk = new MemoryStream();
                foreach (var record in records)
                {
                    LogRecordCodec.AppendFrame(chunk, record);
                    if (chunk.Length >= CompactionChunkBytes)
                    {
                        length += await FlushChunkAsync(chunk, stream, cancellationToken);
                    }
                }

                length += await FlushChunkAsync(chunk, stream, cancellationToken);
            },
            cancellationToken);
        return (generation, length);
    }

    /// <summary>Opens the log for reading beside a writer, or null when there is none.</summary>
    public static FileStream? OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public static Guid ReadGeneration(FileStream file)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        file.Position = 0;
        if (file.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize
            || !header[..s_magic.Length].SequenceEqual(s_magic))
        {
            throw new InvalidDataException($"{file.Name} is not a Gme point log.");
        }

        return new Guid(header[s_magic.Length..]);
    }

    /// <summary>
    /// Reads records from <paramref name="offset"/> until the end or the first record that is incomplete (a write in
    /// progress, or torn by a crash) or fails its checksum. Nothing after such a record is trusted.
    /// </summary>
    public static LogScan ReadRecords(FileStream file, long offset, Action<LogRecord> apply)
    {
        Span<byte> header = stackalloc byte[LogRecordCodec.FrameHeaderSize];
        var body = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var records = 0;
        try
        {
            file.Position = offset;
            var fileLength = file.Length;
            while (true)
            {
                if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length
                    || !LogRecordCodec.TryReadFrameHeader(header, out var length, out var checksum))
                {
                    break;
                }

                // The length is checked against the file before trusting it; the file may have grown since we looked.
                var end = offset + LogRecordCodec.FrameHeaderSize + length;
                if (end > fileLength && end > (fileLength = file.Length))
                {
                    break;
                }

                if (body.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(body);
                    body = ArrayPool<byte>.Shared.Rent(length);
                }

                var span = body.AsSpan(0, length);
                if (file.ReadAtLeast(span, length, throwOnEndOfStream: false) < length || Crc32.Compute(span) != checksum)
                {
                    break;
                }

                LogRecord record;
                try
                {
                    record = LogRecordCodec.Decode(span);
                }
                catch (InvalidDataException)
                {
                    break;
                }

                apply(record);
                records++;
                offset = end;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }

        return new LogScan(offset, records, file.Length);
    }

    /// <summary>Opens the log for appending at <paramref name="end"/>, cutting off any incomplete tail beyond it.</summary>
    public static FileStream OpenAppend(string path, long end)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        try
        {
            if (stream.Length != end)
            {
                stream.SetLength(end);
                stream.Flush(flushToDisk: true);
            }

            stream.Position = end;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends framed records and fsyncs, so they survive a crash once this returns. A failed write is cut off again:
    /// a half-written record left in place would hide every record appended after it.
    /// </summary>
    public static async Task AppendAsync(FileStream stream, ReadOnlyMemory<byte> frames)
    {
        var start = stream.Position;
        try
        {
            // Not cancellable: stopping half-way would leave a torn record to cut off.
            await stream.WriteAsync(frames, CancellationToken.None);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            stream.SetLength(start);
            stream.Position = start;
            throw;
        }
    }

    private static async Task<long> FlushChunkAsync(MemoryStream chunk, Stream destination, CancellationToken cancellationToken)
    {
        var length = chunk.Length;
        await destination.WriteAsync(chunk.GetBuffer().AsMemory(0, checked((int)length)), cancellationToken);
        chunk.SetLength(0);
        return length;
    }
}
