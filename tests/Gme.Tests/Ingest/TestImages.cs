using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Tests.Ingest;

/// <summary>Small images made in code, with enough detail that JPEG files are not trivially short.</summary>
internal static class TestImages
{
    public static byte[] Jpeg(int width, int height, Action<Image<Rgba32>>? tweak = null) =>
        Encode(width, height, tweak, (image, stream) => image.SaveAsJpeg(stream, new JpegEncoder { Quality = 90 }));

    public static byte[] Png(int width, int height, Action<Image<Rgba32>>? tweak = null) =>
        Encode(width, height, tweak, (image, stream) => image.SaveAsPng(stream, new PngEncoder()));

    private static byte[] Encode(int width, int height, Action<Image<Rgba32>>? tweak, Action<Image<Rgba32>, Stream> save)
    {
        using var image = new Image<Rgba32>(width, height);
        image.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    row[x] = new Rgba32((byte)(x * 7), (byte)(y * 5), (byte)((x * y) % 251), 255);
                }
            }
        });
        tweak?.Invoke(image);
        using var stream = new MemoryStream();
        save(image, stream);
        return stream.ToArray();
    }
}
