namespace Gme.Images;

/// <summary>
/// Tells the image format from the first bytes. Servers label HTML error pages and anything else as image/jpeg,
/// so the Content-Type header and the file extension are never trusted.
/// </summary>
public static class ImageFormatSniffer
{
    public static SniffedFormat Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return SniffedFormat.Jpeg;
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return SniffedFormat.Png;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return SniffedFormat.Gif;
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return SniffedFormat.Webp;
        }

        return LooksLikeMarkup(data) ? SniffedFormat.Markup : SniffedFormat.Unknown;
    }

    /// <summary>HTML, XML or JSON: what a server sends instead of a photo (error and login pages).</summary>
    private static bool LooksLikeMarkup(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            data = data[3..];
        }

        var trimmed = data.TrimStart(" \t\r\n"u8);
        return !trimmed.IsEmpty && trimmed[0] is (byte)'<' or (byte)'{' or (byte)'[';
    }
}
