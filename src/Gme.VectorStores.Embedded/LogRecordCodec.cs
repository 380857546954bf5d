using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// The on-disk form of a log record: a frame of body length (int32) and CRC-32 of the body (uint32), then the body:
/// operation (byte), id (16 bytes), and for an upsert the vectors (name, count, floats) and the payload (key, has-value
/// flag, value). Integers and floats are little-endian; strings are UTF-8 with an int32 byte count.
/// </summary>
internal static class LogRecordCodec
{
    public const int FrameHeaderSize = 8;

    /// <summary>Larger lengths are garbage, not records: a torn write can leave any bytes in the length field.</summary>
    public const int MaxBodySize = 64 * 1024 * 1024;

    public static void AppendFrame(MemoryStream output, LogRecord record)
    {
        EnsureLittleEndian();
        var start = checked((int)output.Length);
        output.Position = start;
        Span<byte> header = stackalloc byte[FrameHeaderSize];
        header.Clear();
        output.Write(header);
        WriteBody(output, record);

        var bodyLength = checked((int)output.Length - start - FrameHeaderSize);
        var frame = output.GetBuffer().AsSpan(start, FrameHeaderSize + bodyLength);
        BinaryPrimitives.WriteInt32LittleEndian(frame, bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[4..], Crc32.Compute(frame[FrameHeaderSize..]));
    }

    /// <summary>Reads a frame header: false when the length cannot be a record's.</summary>
    public static bool TryReadFrameHeader(ReadOnlySpan<byte> header, out int bodyLength, out uint checksum)
    {
        bodyLength = BinaryPrimitives.ReadInt32LittleEndian(header);
        checksum = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        return bodyLength is > 0 and <= MaxBodySize;
    }

    /// <exception cref="InvalidDataException">The body is not a well-formed record.</exception>
    public static LogRecord Decode(ReadOnlySpan<byte> body)
    {
        EnsureLittleEndian();
        var reader = new BodyReader(body);
        var operation = (LogOperation)reader.ReadByte();
        var id = new Guid(reader.Take(16));
        if (operation == LogOperation.Delete)
        {
            reader.EnsureEnd();
            return LogRecord.Delete(id);
        }

        if (operation != LogOperation.Upsert)
        {
            throw new InvalidDataException($"Unknown log operation {(byte)operation}.");
        }

        var vectorCount = reader.ReadCount();
        var vectors = new Dictionary<string, float[]>(Math.Min(vectorCount, 16), StringComparer.Ordinal);
        for (var i = 0; i < vectorCount; i++)
        {
            var name = reader.ReadString();
            var length = reader.ReadCount();
            vectors[name] = MemoryMarshal.Cast<byte, float>(reader.Take(checked(length * sizeof(float)))).ToArray();
        }

        var payloadCount = reader.ReadCount();
        var payload = new Dictionary<string, string?>(Math.Min(payloadCount, 64), StringComparer.Ordinal);
        for (var i = 0; i < payloadCount; i++)
        {
            var key = reader.ReadString();
            payload[key] = reader.ReadByte() != 0 ? reader.ReadString() : null;
        }

        reader.EnsureEnd();
        return new LogRecord(LogOperation.Upsert, id, vectors.AsReadOnly(), payload.AsReadOnly());
    }

    private static void WriteBody(MemoryStream output, LogRecord record)
    {
        output.WriteByte((byte)record.Operation);
        Span<byte> id = stackalloc byte[16];
        record.Id.TryWriteBytes(id);
        output.Write(id);
        if (record.Operation == LogOperation.Delete)
        {
            return;
        }

        WriteInt32(output, record.Vectors.Count);
        foreach (var (name, vector) in record.Vectors)
        {
            WriteString(output, name);
            WriteInt32(output, vector.Length);
            output.Write(MemoryMarshal.AsBytes(vector.AsSpan()));
        }

        WriteInt32(output, record.Payload.Count);
        foreach (var (key, value) in record.Payload)
        {
            WriteString(output, key);
            output.WriteByte(value is null ? (byte)0 : (byte)1);
            if (value is not null)
            {
                WriteString(output, value);
            }
        }
    }

    private static void WriteInt32(MemoryStream output, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        output.Write(bytes);
    }

    private static void WriteString(MemoryStream output, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteInt32(output, bytes.Length);
        output.Write(bytes);
    }

    // Floats are copied as raw memory, which is little-endian on every platform .NET 10 runs on; refuse rather than
    // silently write a log no other machine could read.
    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The embedded vector store needs a little-endian machine.");
        }
    }

    private ref struct BodyReader
    {
        private ReadOnlySpan<byte> _rest;

        public BodyReader(ReadOnlySpan<byte> body)
        {
            _rest = body;
        }

        public ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > _rest.Length)
            {
                throw new InvalidDataException("Log record is shorter than its contents claim.");
            }

            var taken = _rest[..count];
            _rest = _rest[count..];
            return taken;
        }

        public byte ReadByte() => Take(1)[0];

        public int ReadCount()
        {
            var count = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
            return count >= 0 ? count : throw new InvalidDataException("Log record has a negative count.");
        }

        public string ReadString() => Encoding.UTF8.GetString(Take(ReadCount()));

        public readonly void EnsureEnd()
        {
            if (!_rest.IsEmpty)
            {
                throw new InvalidDataException("Log record has trailing bytes.");
            }
        }
    }
}
