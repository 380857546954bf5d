using System.Buffers.Binary;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Tests.Ingest;

/// <summary>
/// Hostile image files made in code: empty, random, truncated at many points, bit-flipped, header bombs declaring
/// huge dimensions (PNG, GIF, JPEG, WebP), polyglots and markup. Deterministic (fixed seed).
/// </summary>
internal static class HostileImages
{
    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        var random = new Random(20261126);
        var jpeg = TestImages.Jpeg(96, 64);
        var png = TestImages.Png(96, 64);
        var gif = Encode("gif");
        var webp = Encode("webp");

        yield return ("empty", []);
        yield return ("one-byte", [0xFF]);
        yield return ("jpeg-soi-only", [0xFF, 0xD8]);
        yield return ("png-signature-only", png[..8]);
        for (var i = 0; i < 15; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            yield return ($"random-{i}", bytes);
        }

        foreach (var (format, source) in new[] { ("jpeg", jpeg), ("png", png), ("gif", gif), ("webp", webp) })
        {
            for (var i = 1; i <= 10; i++)
            {
                yield return ($"{format}-truncated-{i}", source[..(source.Length * i / 11)]);
            }

            for (var i = 0; i < 5; i++)
            {
                var flipped = (byte[])source.Clone();
                for (var k = 0; k < 8; k++)
                {
                    flipped[random.Next(2, flipped.Length)] ^= (byte)random.Next(1, 256);
                }

                yield return ($"{format}-bitflip-{i}", flipped);
            }
        }

        foreach (var (w, h) in new[] { (100_000, 100_000), (65_535, 65_535), (1, 2_000_000_000), (0x7FFFFFFF, 0x7FFFFFFF), (0, 0), (20_000, 20_000), (8_000, 8_000) })
        {
            yield return ($"png-bomb-{w}x{h}", PngHeader(w, h));
        }

        foreach (var (w, h) in new[] { (65_535, 65_535), (20_000, 20_000), (0, 0), (16_385, 1) })
        {
            yield return ($"gif-bomb-{w}x{h}", GifHeader((ushort)w, (ushort)h));
        }

        foreach (var (w, h) in new[] { (65_500, 65_500), (30_000, 30_000), (16_385, 10), (0, 0) })
        {
            yield return ($"jpeg-bomb-{w}x{h}", JpegWithDimensions(jpeg, (ushort)w, (ushort)h));
        }

        foreach (var (w, h) in new[] { 16_383, 10_000 }.Select(x => (x, x)))
        {
            yield return ($"webp-bomb-{w}x{h}", WebpVp8xHeader(w, h));
        }

        var html = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><script>alert(1)</script></html>");
        yield return ("html", html);
        yield return ("svg", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100000\" height=\"100000\"/>"));
        yield return ("jpeg-soi-then-html", [0xFF, 0xD8, 0xFF, 0xE0, .. html]);
        yield return ("png-signature-then-html", [.. png[..8], .. html]);
        yield return ("gif-magic-then-zip", [.. Encoding.ASCII.GetBytes("GIF89a"), 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, .. Encoding.ASCII.GetBytes("PK\u0003\u0004"), .. new byte[64]]);
        yield return ("jpeg-with-zip-appended", [.. jpeg, .. Encoding.ASCII.GetBytes("PK\u0003\u0004"), .. new byte[128]]);
        yield return ("html-with-jpeg-inside", [.. html, .. jpeg]);
        yield return ("riff-not-webp", [.. Encoding.ASCII.GetBytes("RIFF"), 0x10, 0, 0, 0, .. Encoding.ASCII.GetBytes("AVI LIST"), .. new byte[32]]);
        yield return ("bmp", [.. Encoding.ASCII.GetBytes("BM"), .. new byte[60]]);
        yield return ("utf16-bom-text", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("hello")]);
    }

    /// <summary>
    /// A real decompression bomb: a valid PNG of the given size whose pixels are all black, so the zlib stream is a
    /// thousandth of the decoded size. Decoding it allocates width x height x 3 bytes or more.
    /// </summary>
    public static byte[] PngBomb(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        using var idat = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + (width * 3)]; // filter byte 0, then black pixels
            for (var y = 0; y < height; y++)
            {
                zlib.Write(row);
            }
        }

        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IDAT", idat.ToArray());
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    /// <summary>A PNG signature and IHDR chunk (valid CRC) declaring the given size, then an empty IDAT and IEND.</summary>
    public static byte[] PngHeader(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static byte[] GifHeader(ushort width, ushort height)
    {
        using var stream = new MemoryStream();
        stream.Write(Encoding.ASCII.GetBytes("GIF89a"));
        Span<byte> screen = stackalloc byte[7];
        BinaryPrimitives.WriteUInt16LittleEndian(screen, width);
        BinaryPrimitives.WriteUInt16LittleEndian(screen[2..], height);
        stream.Write(screen);
        Span<byte> descriptor = stackalloc byte[10];
        descriptor[0] = 0x2C;
        BinaryPrimitives.WriteUInt16LittleEndian(descriptor[5..], width);
        BinaryPrimitives.WriteUInt16LittleEndian(descriptor[7..], height);
        stream.Write(descriptor);
        stream.Write([0x02, 0x02, 0x44, 0x01, 0x00, 0x3B]);
        return stream.ToArray();
    }

    private static byte[] JpegWithDimensions(byte[] jpeg, ushort width, ushort height)
    {
        var copy = (byte[])jpeg.Clone();
        for (var i = 2; i < copy.Length - 9; i++)
        {
            if (copy[i] == 0xFF && copy[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 5), height);
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 7), width);
                return copy;
            }
        }

        throw new InvalidOperationException("no SOF marker");
    }

    private static byte[] WebpVp8xHeader(int width, int height)
    {
        var chunk = new byte[10];
        var w = width - 1;
        var h = height - 1;
        chunk[4] = (byte)w;
        chunk[5] = (byte)(w >> 8);
        chunk[6] = (byte)(w >> 16);
        chunk[7] = (byte)h;
        chunk[8] = (byte)(h >> 8);
        chunk[9] = (byte)(h >> 16);
        using var stream = new MemoryStream();
        stream.Write(Encoding.ASCII.GetBytes("RIFF"));
        stream.Write(BitConverter.GetBytes(4 + 8 + chunk.Length));
        stream.Write(Encoding.ASCII.GetBytes("WEBPVP8X"));
        stream.Write(BitConverter.GetBytes(chunk.Length));
        stream.Write(chunk);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeAndData = (byte[])[.. Encoding.ASCII.GetBytes(type), .. data];
        stream.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        stream.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static byte[] Encode(string format)
    {
        using var image = new Image<Rgba32>(64, 48, new Rgba32(200, 40, 90));
        using var stream = new MemoryStream();
        if (format == "gif")
        {
            image.SaveAsGif(stream);
        }
        else
        {
            image.SaveAsWebp(stream);
        }

        return stream.ToArray();
    }
}
