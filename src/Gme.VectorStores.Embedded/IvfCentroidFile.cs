using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Gme.Core.Storage;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// <c>centroids.ivf</c>: the trained centroids of each vector's <see cref="IvfIndex"/>, so a reload files points into
/// the same lists instead of training again. Only a cache: the lists are rebuilt from the point log on every load,
/// and a missing, damaged or mismatched file just means the centroids are trained afresh from the vectors.
/// Layout: magic, vector count, then per vector its name, trained-on count, code words, list count and the codes
/// (little-endian), then a CRC-32 of all that.
/// </summary>
internal static class IvfCentroidFile
{
    public const string FileName = "centroids.ivf";

    private static readonly byte[] s_magic = "GMEIVF01"u8.ToArray();

    public static Task WriteAsync(string path, PointTable table, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        output.Write(s_magic);
        WriteInt(output, table.Indexes.Count(i => i.Value.Lists > 0));
        foreach (var (name, index) in table.Indexes.Where(i => i.Value.Lists > 0))
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            WriteInt(output, bytes.Length);
            output.Write(bytes);
            WriteInt(output, index.TrainedOn);
            WriteInt(output, index.Centroids.Length / index.Lists);
            WriteInt(output, index.Lists);
            output.Write(MemoryMarshal.AsBytes(index.Centroids));
        }

        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.Compute(output.GetBuffer().AsSpan(0, (int)output.Length)));
        output.Write(crc);
        return AtomicFile.WriteAllBytesAsync(path, output.ToArray(), cancellationToken);
    }

    /// <summary>Seeds <paramref name="table"/> from the file when it is present and whole; false otherwise.</summary>
    public static bool TryApply(string path, PointTable table)
    {
        if (!BitConverter.IsLittleEndian || !File.Exists(path))
        {
            return false;
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < s_magic.Length + 8
                || !bytes.AsSpan(0, s_magic.Length).SequenceEqual(s_magic)
                || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)) != Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4)))
            {
                return false;
            }

            var position = s_magic.Length;
            int ReadInt()
            {
                var value = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position, 4));
                position += 4;
                return value;
            }

            var count = ReadInt();
            var found = new List<(string Name, ulong[] Centroids, int Words, int TrainedOn)>();
            for (var i = 0; i < count; i++)
            {
                var nameLength = ReadInt();
                var name = Encoding.UTF8.GetString(bytes, position, nameLength);
                position += nameLength;
                var trainedOn = ReadInt();
                var words = ReadInt();
                var lists = ReadInt();
                if (trainedOn < 0 || words <= 0 || lists <= 0)
                {
                    return false;
                }

                var codes = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan(position, checked(words * lists * sizeof(ulong)))).ToArray();
                position += codes.Length * sizeof(ulong);
                found.Add((name, codes, words, trainedOn));
            }

            foreach (var (name, centroids, words, trainedOn) in found)
            {
                table.UseCentroids(name, centroids, words, trainedOn);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException or OverflowException)
        {
            return false;
        }
    }

    private static void WriteInt(Stream output, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        output.Write(bytes);
    }
}
