using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Tests.Embedder;

/// <summary>Synthetic product photos drawn pixel by pixel (no drawing library is available).</summary>
internal static class TestImages
{
    public static readonly Rgb24 Red = new(220, 20, 30);
    public static readonly Rgb24 Blue = new(20, 40, 200);
    public static readonly Rgb24 White = new(255, 255, 255);

    public static string Circle(string directory, string name, int centreX, int centreY, int radius, Rgb24 colour, int width = 256, int height = 256) =>
        Draw(directory, name, width, height, (x, y) =>
            ((x - centreX) * (x - centreX)) + ((y - centreY) * (y - centreY)) <= radius * radius ? colour : White);

    public static string Stripes(string directory, string name, int period, Rgb24 colour, int width = 256, int height = 256) =>
        Draw(directory, name, width, height, (x, _) => x / period % 2 == 0 ? colour : White);

    public static string Solid(string directory, string name, int width, int height, Rgb24 colour) =>
        Draw(directory, name, width, height, (_, _) => colour);

    /// <summary>A file with an image's name whose content no decoder recognises.</summary>
    public static string Corrupt(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Draw(string directory, string name, int width, int height, Func<int, int, Rgb24> pixel)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = pixel(x, y);
            }
        }

        image.Save(path);
        return path;
    }
}
