using Gme.Images;
using Gme.Sources.Sample;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Tests.Ingest;

public sealed class SampleImageRendererTests
{
    public static TheoryData<string> ColourNames => [.. SampleCatalogue.Colours.Select(c => c.Name)];

    [Fact]
    public void Render_SameProduct_GivesIdenticalJpegBytes()
    {
        foreach (var index in new[] { 1, 42, 299 })
        {
            var first = SampleImageRenderer.Render(SampleCatalogue.Product(index));
            var second = SampleImageRenderer.Render(SampleCatalogue.Product(index));

            Assert.Equal(first, second);
            Assert.Equal(SniffedFormat.Jpeg, ImageFormatSniffer.Sniff(first));
        }
    }

    [Theory]
    [MemberData(nameof(ColourNames))]
    public void Render_SolidProduct_CentreIsTheNamedColour(string colourName)
    {
        var product = SampleCatalogue.Products(400).First(p => p.Colour.Name == colourName && p.Pattern == SamplePattern.Solid);

        using var image = Image.Load<Rgb24>(SampleImageRenderer.Render(product));

        Assert.Equal(SampleImageRenderer.Size, image.Width);
        Assert.Equal(SampleImageRenderer.Size, image.Height);
        var (r, g, b) = MeanColour(image, x0: 98, x1: 117, y0: 108, y1: 133);
        Assert.InRange(r, product.Colour.R - 12, product.Colour.R + 12);
        Assert.InRange(g, product.Colour.G - 12, product.Colour.G + 12);
        Assert.InRange(b, product.Colour.B - 12, product.Colour.B + 12);
    }

    [Fact]
    public void Silhouettes_DifferBetweenEveryPairOfGarments()
    {
        var masks = Enum.GetValues<GarmentShape>().ToDictionary(s => s, Mask);

        foreach (var a in masks)
        {
            foreach (var b in masks.Where(m => m.Key > a.Key))
            {
                var differing = a.Value.Zip(b.Value).Count(p => p.First != p.Second);
                Assert.True(differing > 64 * 64 / 50, $"{a.Key} and {b.Key} differ in only {differing} cells");
            }
        }

        static bool[] Mask(GarmentShape shape) =>
            [.. Enumerable.Range(0, 64 * 64).Select(i => GarmentSilhouette.Inside(shape, ((i % 64) + 0.5) / 64, ((i / 64) + 0.5) / 64))];
    }

    private static (double R, double G, double B) MeanColour(Image<Rgb24> image, int x0, int x1, int y0, int y1)
    {
        double r = 0, g = 0, b = 0;
        var n = 0;
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var p = image[x, y];
                r += p.R;
                g += p.G;
                b += p.B;
                n++;
            }
        }

        return (r / n, g / n, b / n);
    }
}
