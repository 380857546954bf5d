namespace Gme.Images;

/// <summary>
/// Walks the marker segments of a JPEG to see that it reaches its end-of-image marker. Needed because ImageSharp
/// decodes a truncated file without complaint, and a download cut short must not be stored as a photo.
/// </summary>
internal static class JpegStructure
{
    private const byte Marker = 0xFF;
    private const byte StartOfScan = 0xDA;
    private const byte EndOfImage = 0xD9;

    public static bool IsComplete(ReadOnlySpan<byte> data)
    {
        var i = 2; // after SOI
        while (i + 1 < data.Length)
        {
            if (data[i] != Marker)
            {
                return false;
            }

            var code = data[i + 1];
            if (code == Marker)
            {
                i++; // fill byte
                continue;
            }

            if (code == EndOfImage)
            {
                return true;
            }

            if (code is >= 0xD0 and <= 0xD7 or 0x01)
            {
                i += 2; // markers without a length
                continue;
            }

            if (i + 3 >= data.Length)
            {
                return false;
            }

            var length = (data[i + 2] << 8) | data[i + 3];
            if (length < 2)
            {
                return false;
            }

            i += 2 + length;
            if (code == StartOfScan)
            {
                i = SkipEntropyCodedData(data, i);
            }
        }

        return false;
    }

    /// <summary>Scan data escapes 0xFF as FF 00 and interleaves restart markers; the next other marker ends it.</summary>
    private static int SkipEntropyCodedData(ReadOnlySpan<byte> data, int i)
    {
        while (i + 1 < data.Length)
        {
            if (data[i] == Marker && data[i + 1] != 0x00 && data[i + 1] is not (>= 0xD0 and <= 0xD7) && data[i + 1] != Marker)
            {
                return i;
            }

            i++;
        }

        return data.Length;
    }
}
