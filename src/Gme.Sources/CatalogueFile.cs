using System.Text;
using Gme.Core.Errors;

namespace Gme.Sources;

/// <summary>
/// Checks a catalogue file before it is opened, so that a FIFO or a device never blocks a read and a file that
/// cannot be a catalogue is refused with one line naming it and the reason.
/// </summary>
public static class CatalogueFile
{
    /// <summary>Bytes read from the start of a text catalogue to recognise its encoding.</summary>
    public const int SniffBytes = 4096;

    private static readonly byte[] s_parquetMagic = "PAR1"u8.ToArray();

    /// <summary>
    /// Throws <see cref="BadInputException"/> unless <paramref name="path"/> is a non-empty regular file. A FIFO, a
    /// character or block device and most /proc files report a length of 0, so they are refused by their length
    /// without being opened (opening a FIFO waits for a writer; /dev/zero never ends).
    /// </summary>
    public static void EnsureRegularFile(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            // A link's own length is that of its target's name: judge what it finally points at.
            if (info.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true } final)
            {
                throw new BadInputException(path, $"is a symbolic link to '{target}', which does not exist");
            }

            info = new FileInfo(final.FullName);
        }

        if (Directory.Exists(info.FullName))
        {
            throw new BadInputException(path, "is a directory, not a catalogue file");
        }

        if (!info.Exists)
        {
            throw new BadInputException(path, "file not found");
        }

        if (info.Length == 0)
        {
            throw new BadInputException(path, "is empty or not a regular file (a FIFO or a device); nothing to read");
        }
    }

    /// <summary>
    /// Refuses text that is not UTF-8 from its first bytes: a second byte-order mark, UTF-16 or UTF-32 with or
    /// without a mark, binary content, or a Parquet file named as text. Returns how many bytes of BOM to skip.
    /// </summary>
    public static int CheckTextStart(string path, ReadOnlySpan<byte> head)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        if (head.StartsWith(bom))
        {
            if (head[3..].StartsWith(bom))
            {
                throw new BadInputException(path, "starts with two UTF-8 byte-order marks; remove the second one", offset: 3);
            }

            return 3;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            throw new BadInputException(path, "is UTF-16 or UTF-32 (byte-order mark); save it as UTF-8");
        }

        if (head.StartsWith(s_parquetMagic))
        {
            throw new BadInputException(path, "is a Parquet file; name it .parquet");
        }

        var nul = head.IndexOf((byte)0);
        if (nul >= 0)
        {
            throw new BadInputException(path, LooksLikeUtf16(head)
                ? "looks like UTF-16 without a byte-order mark (every other byte is NUL); save it as UTF-8"
                : "holds NUL bytes: binary data, not UTF-8 text", offset: nul);
        }

        return 0;
    }

    /// <summary>
    /// Refuses a file that is not a whole Parquet container: both ends must carry the <c>PAR1</c> magic, so CSV
    /// named .parquet and a truncated file are told apart before the reader trips over them.
    /// </summary>
    public static void CheckParquetEnds(string path, Stream stream)
    {
        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[4];
        if (stream.Length < 12)
        {
            throw new BadInputException(path, $"is not a Parquet file ({stream.Length} bytes, too short for one)");
        }

        stream.ReadExactly(head);
        if (!head.SequenceEqual(s_parquetMagic))
        {
            var text = head.IndexOfAnyInRange((byte)0, (byte)8) < 0 ? $" (it starts with \"{Printable(head)}\"; is it CSV or JSON?)" : "";
            throw new BadInputException(path, $"is not a Parquet file: no PAR1 magic at the start{text}", offset: 0);
        }

        stream.Seek(-4, SeekOrigin.End);
        stream.ReadExactly(tail);
        if (!tail.SequenceEqual(s_parquetMagic))
        {
            throw new BadInputException(path, "is a truncated or damaged Parquet file: no PAR1 magic at the end", offset: stream.Length - 4);
        }

        stream.Seek(0, SeekOrigin.Begin);
    }

    private static bool LooksLikeUtf16(ReadOnlySpan<byte> head)
    {
        int evenZero = 0, oddZero = 0;
        for (var i = 0; i + 1 < head.Length; i += 2)
        {
            evenZero += head[i] == 0 ? 1 : 0;
            oddZero += head[i + 1] == 0 ? 1 : 0;
        }

        var pairs = Math.Max(1, head.Length / 2);
        return Math.Max(evenZero, oddZero) * 10 >= pairs * 3 && Math.Min(evenZero, oddZero) * 10 < pairs;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return sb.ToString();
    }
}
