using System.Reflection;
using Gme.Core.Errors;
using Parquet;
using Parquet.Meta;

namespace Gme.Core.Storage;

/// <summary>
/// Checks a Parquet file's footer (its Thrift-encoded metadata) before the Parquet library opens it. The library
/// (Parquet.Net 6.1) copies the footer into a <see cref="MemoryStream"/> and parses it with a Thrift reader that takes
/// the -1 of a read past the end as the byte 0xFF: a varint then never ends, and a struct never meets its STOP byte,
/// so a footer damaged by one flipped bit makes it loop forever on the calling thread, deaf to cancellation, and
/// `gme run` would hang on a user's corrupt file. Here the same parser reads the same bytes from a stream that throws
/// at its end instead, which turns that damage into a <see cref="BadInputException"/> naming the file; the library's
/// own parse of bytes that passed this check stays inside them. The parser is internal to the library, so it is
/// reached by reflection; the package version is pinned, and a missing member fails every Parquet read loudly, which
/// the hostile-input corpus would catch, rather than skipping the check.
/// </summary>
public static class ParquetFooter
{
    /// <summary>The largest footer read into memory; Parquet writers keep the metadata to kilobytes or a few megabytes.</summary>
    public const int MaxFooterBytes = 64 * 1024 * 1024;

    private static readonly Lazy<Func<Stream, FileMetaData>> s_parse = new(BindParser);

    /// <summary>Throws <see cref="BadInputException"/> unless the footer length fits the file and the library parses the metadata within its bytes.</summary>
    public static void Check(string path, Stream stream)
    {
        if (stream.Length < 12)
        {
            throw new BadInputException(path, $"is not a Parquet file ({stream.Length} bytes, too short for one)");
        }

        Span<byte> tail = stackalloc byte[8];
        stream.Seek(-8, SeekOrigin.End);
        stream.ReadExactly(tail);
        var length = BitConverter.ToInt32(tail[..4]);
        var start = stream.Length - 8 - length;
        if (length <= 0 || length > MaxFooterBytes || start < 4)
        {
            throw new BadInputException(path, $"is a damaged Parquet file: its footer claims {length} bytes of metadata in a file of {stream.Length} bytes", offset: stream.Length - 8);
        }

        var metadata = new byte[length];
        stream.Seek(start, SeekOrigin.Begin);
        stream.ReadExactly(metadata);
        stream.Seek(0, SeekOrigin.Begin);

        try
        {
            s_parse.Value(new EndGuardedStream(metadata));
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner and not OutOfMemoryException)
        {
            throw new BadInputException(path, $"is a damaged Parquet file: corrupt footer metadata ({inner.GetType().Name}: {OneLine(inner.Message)})", offset: start);
        }
        catch (OutOfMemoryException)
        {
            throw new BadInputException(path, "is a damaged Parquet file: its footer metadata claims more entries than fit in memory", offset: start);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is OutOfMemoryException)
        {
            throw new BadInputException(path, "is a damaged Parquet file: its footer metadata claims more entries than fit in memory", offset: start);
        }
    }

    /// <summary>
    /// Wraps a stream handed to the Parquet library so that reading past its end throws: the library reads page
    /// headers from it with the same Thrift reader, and a damaged page header would otherwise spin at the end of the
    /// file. A few reads at the end are allowed (a reader may probe for it); a spinning one makes thousands.
    /// </summary>
    public static Stream GuardEnd(Stream stream) => new EndGuardedFileStream(stream);

    private static Func<Stream, FileMetaData> BindParser()
    {
        var assembly = typeof(ParquetReader).Assembly;
        var readerType = assembly.GetType("Parquet.Meta.Proto.ThriftCompactProtocolReader", throwOnError: true)!;
        var constructor = readerType.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(Stream)])
            ?? throw new InvalidOperationException("Parquet.Net has no ThriftCompactProtocolReader(Stream); the footer check needs updating for this version.");
        var read = typeof(FileMetaData).GetMethod("Read", BindingFlags.NonPublic | BindingFlags.Static, [readerType])
            ?? throw new InvalidOperationException("Parquet.Net has no FileMetaData.Read(ThriftCompactProtocolReader); the footer check needs updating for this version.");
        return stream => (FileMetaData)read.Invoke(null, [constructor.Invoke([stream])])!;
    }

    private static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ");
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    /// <summary>The footer's bytes; any read past them throws, so no parse can spin on the end.</summary>
    private sealed class EndGuardedStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override int ReadByte() => Position < Length ? base.ReadByte() : throw new EndOfStreamException("the footer metadata ends inside a value");

        public override int Read(byte[] buffer, int offset, int count) =>
            count == 0 || Position < Length ? base.Read(buffer, offset, count) : throw new EndOfStreamException("the footer metadata ends inside a value");

        public override int Read(Span<byte> buffer) =>
            buffer.Length == 0 || Position < Length ? base.Read(buffer) : throw new EndOfStreamException("the footer metadata ends inside a value");
    }

    /// <summary>A pass-through file stream that throws once reads at its end repeat: a spinning parser, not a reader finishing.</summary>
    private sealed class EndGuardedFileStream(Stream inner) : Stream
    {
        private const int ReadsAtEndAllowed = 64;
        private int _readsAtEnd;

        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override void Flush()
        {
        }

        public override int ReadByte()
        {
            var b = inner.ReadByte();
            AtEnd(b < 0, wanted: 1);
            return b;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            AtEnd(read == 0, buffer.Length);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            AtEnd(read == 0, buffer.Length);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        private void AtEnd(bool atEnd, int wanted)
        {
            if (atEnd && wanted > 0 && ++_readsAtEnd > ReadsAtEndAllowed)
            {
                throw new EndOfStreamException("a damaged page header runs past the end of the file");
            }
        }
    }
}
