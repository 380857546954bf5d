using Gme.Images;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Tests.Ingest;

public sealed class ImageNormalizerTests
{
    private readonly ImageNormalizer _normalizer = new(Options.Create(new ImageFetchOptions()));

    [Fact]
    public void Normalize_Png_BecomesRgbJpeg()
    {
        var png = TestImages.Png(100, 80, image => image[5, 5] = new Rgba32(0, 0, 0, 0));

        var result = _normalizer.Normalize(png);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.NotNull(result.Bytes);
        Assert.Equal(SniffedFormat.Jpeg, ImageFormatSniffer.Sniff(result.Bytes));
        Assert.Equal((100, 80), (result.Width, result.Height));
        using var decoded = Image.Load<Rgb24>(result.Bytes);
        Assert.Equal((100, 80), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void Normalize_WideImage_IsScaledToTheLongestSideLimit()
    {
        var result = _normalizer.Normalize(TestImages.Jpeg(3000, 1000));

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal((512, 171), (result.Width, result.Height));
    }

    [Fact]
    public void Normalize_ExifRotated_IsTurnedUpright()
    {
        var jpeg = TestImages.Jpeg(40, 20, image =>
        {
            image.Metadata.ExifProfile = new ExifProfile();
            image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        });

        var result = _normalizer.Normalize(jpeg);

        Assert.Equal((20, 40), (result.Width, result.Height));
    }

    [Fact]
    public void Normalize_TruncatedJpeg_IsRejected()
    {
        var jpeg = TestImages.Jpeg(200, 200);

        var result = _normalizer.Normalize(jpeg.AsMemory(0, jpeg.Length / 2));

        Assert.False(result.Succeeded);
        Assert.Equal("corrupt_image", result.FailureReason);
    }

    [Fact]
    public void Normalize_HugeDimensionsInHeader_RefusedBeforeDecoding()
    {
        var jpeg = TestImages.Jpeg(16, 16);
        var sof = FindStartOfFrame(jpeg);
        // Height and width fields of the SOF0 segment: 60000 × 60000 would need gigabytes to decode.
        jpeg[sof + 5] = 0xEA;
        jpeg[sof + 6] = 0x60;
        jpeg[sof + 7] = 0xEA;
        jpeg[sof + 8] = 0x60;

        var result = _normalizer.Normalize(jpeg);

        Assert.Equal("too_many_pixels", result.FailureReason);
    }

    [Theory]
    [InlineData("<html><body>oops</body></html>", "not_an_image")]
    [InlineData("  {\"error\":\"nope\"}", "not_an_image")]
    [InlineData("BM this is not a supported format", "unknown_format")]
    [InlineData("", "empty")]
    public void Normalize_NotAPhoto_IsRejectedWithReason(string content, string reason)
    {
        var result = _normalizer.Normalize(System.Text.Encoding.UTF8.GetBytes(content));

        Assert.Equal(reason, result.FailureReason);
    }

    [Fact]
    public void Normalize_SameInput_GivesSameBytes()
    {
        var png = TestImages.Png(120, 90);

        Assert.Equal(_normalizer.Normalize(png).Bytes, _normalizer.Normalize(png).Bytes);
    }

    private static int FindStartOfFrame(byte[] jpeg)
    {
        for (var i = 2; i + 1 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC2)
            {
                return i;
            }
        }

        throw new InvalidOperationException("no SOF marker");
    }
}
