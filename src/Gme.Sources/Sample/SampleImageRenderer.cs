using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Sources.Sample;

/// <summary>
/// Draws the photo of a sample product: the garment's silhouette on a light background, filled with its colour and
/// pattern, pixel by pixel (no drawing library is available). The same product always gives the same bytes, so
/// the image cache and the vectors of a resumed run match the first run.
/// </summary>
public static class SampleImageRenderer
{
    public const int Size = 256;
    public const int JpegQuality = 90;

    private const int OutlinePixels = 2;
    private static readonly Rgb24 s_background = new(236, 238, 242);
    private static readonly Rgb24 s_outline = new(70, 70, 78);

    public static byte[] Render(SampleProduct product)
    {
        ArgumentNullException.ThrowIfNull(product);
        var shape = product.Garment.Shape;
        var fill = new Rgb24(product.Colour.R, product.Colour.G, product.Colour.B);
        var accent = Accent(fill);
        var pattern = product.Pattern;

        using var image = new Image<Rgb24>(Size, Size);
        image.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    row[x] = PixelAt(shape, pattern, fill, accent, x, y);
                }
            }
        });

        using var output = new MemoryStream();
        image.SaveAsJpeg(output, new JpegEncoder { Quality = JpegQuality });
        return output.ToArray();
    }

    private static Rgb24 PixelAt(GarmentShape shape, SamplePattern pattern, Rgb24 fill, Rgb24 accent, int x, int y)
    {
        if (!InsideAt(shape, x, y))
        {
            return s_background;
        }

        // Outline where a nearby pixel is outside: keeps white and beige garments visible on the light background.
        if (!InsideAt(shape, x - OutlinePixels, y) || !InsideAt(shape, x + OutlinePixels, y)
            || !InsideAt(shape, x, y - OutlinePixels) || !InsideAt(shape, x, y + OutlinePixels))
        {
            return s_outline;
        }

        if (GarmentSilhouette.IsTrim(shape, Unit(x), Unit(y)))
        {
            return accent;
        }

        return pattern switch
        {
            SamplePattern.Striped => y % 24 < 8 ? accent : fill,
            SamplePattern.Dotted => Square((x % 20) - 10) + Square((y % 20) - 10) <= 16 ? accent : fill,
            SamplePattern.Checked => ((x / 16) + (y / 16)) % 2 == 0 ? fill : Mix(fill, accent),
            _ => fill,
        };
    }

    private static bool InsideAt(GarmentShape shape, int x, int y) => GarmentSilhouette.Inside(shape, Unit(x), Unit(y));

    private static double Unit(int pixel) => (pixel + 0.5) / Size;

    /// <summary>A contrasting shade of the same hue: darker for light colours, lighter for dark ones.</summary>
    private static Rgb24 Accent(Rgb24 c)
    {
        var luminance = (0.299 * c.R) + (0.587 * c.G) + (0.114 * c.B);
        return luminance > 150
            ? new Rgb24((byte)(c.R * 0.55), (byte)(c.G * 0.55), (byte)(c.B * 0.55))
            : new Rgb24(Lighten(c.R), Lighten(c.G), Lighten(c.B));

        static byte Lighten(byte v) => (byte)(v + ((255 - v) * 0.6));
    }

    private static Rgb24 Mix(Rgb24 a, Rgb24 b) => new((byte)((a.R + b.R) / 2), (byte)((a.G + b.G) / 2), (byte)((a.B + b.B) / 2));

    private static int Square(int v) => v * v;
}
