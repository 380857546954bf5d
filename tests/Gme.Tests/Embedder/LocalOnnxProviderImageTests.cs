using Gme.Core.Embeddings;
using Gme.Onnx;
using Microsoft.Extensions.AI;

namespace Gme.Tests.Embedder;

public sealed class LocalOnnxProviderImageTests(LocalOnnxProviderFixture fixture) : IClassFixture<LocalOnnxProviderFixture>
{
    private string Images => Path.Combine(fixture.Root, "images");

    [Fact]
    public async Task EmbedQuery_Image_SimilarShapesAreCloserThanDifferentOnes()
    {
        var circle = await EmbedAsync(TestImages.Circle(Images, "circle.png", 128, 128, 60, TestImages.Red));
        var shifted = await EmbedAsync(TestImages.Circle(Images, "shifted.png", 100, 150, 55, TestImages.Red));
        var stripes = await EmbedAsync(TestImages.Stripes(Images, "stripes.png", 16, TestImages.Blue));

        Assert.True(
            VectorAssert.Cosine(circle, shifted) > VectorAssert.Cosine(circle, stripes),
            $"circle~shifted {VectorAssert.Cosine(circle, shifted):F3} should exceed circle~stripes {VectorAssert.Cosine(circle, stripes):F3}");
        VectorAssert.UnitLength(circle, ResNetImageEncoder.Dimensions);
    }

    [Fact]
    public void LoadPixels_PortraitImage_KeepsAspectAndPadsWithWhite()
    {
        var pixels = ResNetImageEncoder.LoadPixels(TestImages.Solid(Images, "portrait.png", 100, 200, TestImages.Red));

        const int Side = ResNetImageEncoder.Side;
        const int Plane = Side * Side;
        Assert.Equal(3 * Plane, pixels.Length);
        var edge = Side / 2 * Side;          // left edge, middle row: padding
        var centre = edge + (Side / 2);      // centre: the red product
        Assert.Equal([255f, 255f, 255f], [pixels[edge], pixels[Plane + edge], pixels[(2 * Plane) + edge]]);
        Assert.Equal([220f, 20f, 30f], [pixels[centre], pixels[Plane + centre], pixels[(2 * Plane) + centre]]);
    }

    [Fact]
    public void Queries_ImageSpace_TakesImagesOnly()
    {
        var space = fixture.Provider.Queries[LocalOnnxProvider.ImageSpace];

        Assert.NotNull(space.Image);
        Assert.Null(space.Text);
        Assert.Equal(Modality.Image, space.Accepts);
    }

    [Fact]
    public async Task EmbedQuery_CorruptImage_ThrowsArgumentException()
    {
        var corrupt = TestImages.Corrupt(Images, "corrupt-query.jpg");

        await Assert.ThrowsAsync<ArgumentException>(() => EmbedAsync(corrupt));
    }

    private async Task<float[]> EmbedAsync(string path) =>
        (await fixture.Provider.Queries[LocalOnnxProvider.ImageSpace].Image!.GenerateVectorAsync(
            new DataContent(await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken), "image/jpeg"),
            cancellationToken: TestContext.Current.CancellationToken)).ToArray();
}
