using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Gme.Images;

/// <summary>
/// Turns any accepted photo (JPEG, PNG, GIF, WebP) into the form the embedders read: upright (EXIF orientation
/// applied), RGB on white, longest side at most <see cref="ImageFetchOptions.MaxDimension"/>, JPEG. Untrusted input:
/// the format is sniffed from the bytes, the pixel count is checked from the header before any decoding, and the
/// decoder runs under a memory cap.
/// </summary>
public sealed class ImageNormalizer(IOptions<ImageFetchOptions> options)
{
    private readonly ImageFetchOptions _options = options.Value;
    private readonly Configuration _configuration = CreateConfiguration(options.Value);
    private readonly JpegEncoder _encoder = new() { Quality = options.Value.JpegQuality, ColorType = JpegColorType.YCbCrRatio420 };

    public NormalizedImage Normalize(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            return NormalizedImage.Fail("empty");
        }

        var format = ImageFormatSniffer.Sniff(data.Span);
        switch (format)
        {
            case SniffedFormat.Unknown:
                return NormalizedImage.Fail("unknown_format");
            case SniffedFormat.Markup:
                return NormalizedImage.Fail("not_an_image");
            case SniffedFormat.Jpeg when !JpegStructure.IsComplete(data.Span):
                // ImageSharp fills a cut-off JPEG with grey instead of failing; half a photo is not a photo.
                return NormalizedImage.Fail("corrupt_image");
        }

        try
        {
            var info = Identify(data);
            if (info is null)
            {
                return NormalizedImage.Fail("unknown_format");
            }

            if (info.Width <= 0 || info.Height <= 0)
            {
                return NormalizedImage.Fail("corrupt_image");
            }

            if (info.Width > _options.MaxSidePixels || info.Height > _options.MaxSidePixels
                || (long)info.Width * info.Height > _options.MaxPixels)
            {
                return NormalizedImage.Fail("too_many_pixels");
            }

            return Convert(data, format);
        }
        catch (UnknownImageFormatException)
        {
            return NormalizedImage.Fail("unknown_format");
        }
        catch (InvalidMemoryOperationException)
        {
            return NormalizedImage.Fail("too_many_pixels");
        }
        catch (NotSupportedException)
        {
            return NormalizedImage.Fail("unsupported_image");
        }
        catch (Exception ex) when (ex is ImageFormatException or InvalidDataException or IndexOutOfRangeException
            or ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            // Decoders report damaged files through a variety of exception types; all mean the same to us.
            return NormalizedImage.Fail("corrupt_image");
        }
    }

    private IImageInfo? Identify(ReadOnlyMemory<byte> data)
    {
        using var stream = AsStream(data);
        return Image.Identify(_configuration, stream, out _);
    }

    private NormalizedImage Convert(ReadOnlyMemory<byte> data, SniffedFormat format)
    {
        using var stream = AsStream(data);

        // JPEG has no alpha channel: decode straight to RGB and skip the flatten-on-white pass and the pixel-format
        // copy, which on small photos cost more than the decode itself.
        if (format == SniffedFormat.Jpeg)
        {
            using var photo = Image.Load<Rgb24>(_configuration, stream, DecoderFor(format));
            return Encode(photo);
        }

        using var image = Image.Load<Rgba32>(_configuration, stream, DecoderFor(format));

        // Only the first frame of an animation is kept; the others would only cost memory.
        while (image.Frames.Count > 1)
        {
            image.Frames.RemoveFrame(image.Frames.Count - 1);
        }

        image.Mutate(x => x.BackgroundColor(Color.White));
        using var rgb = image.CloneAs<Rgb24>();
        return Encode(rgb);
    }

    /// <summary>Upright, within the size cap, without metadata, as JPEG.</summary>
    private NormalizedImage Encode(Image<Rgb24> image)
    {
        image.Mutate(x => x.AutoOrient());
        var (width, height) = FitWithin(image.Width, image.Height, _options.MaxDimension);
        if (width != image.Width || height != image.Height)
        {
            image.Mutate(x => x.Resize(width, height));
        }

        // A clean file: orientation is already applied, and metadata would only make equal photos hash apart.
        image.Metadata.ExifProfile = null;
        image.Metadata.IccProfile = null;
        image.Metadata.XmpProfile = null;
        image.Metadata.IptcProfile = null;

        using var output = new MemoryStream();
        image.SaveAsJpeg(output, _encoder);
        return NormalizedImage.Ok(output.ToArray(), image.Width, image.Height);
    }

    internal static (int Width, int Height) FitWithin(int width, int height, int maxSide)
    {
        var longest = Math.Max(width, height);
        if (longest <= maxSide)
        {
            return (width, height);
        }

        var scale = (double)maxSide / longest;
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    private static IImageDecoder DecoderFor(SniffedFormat format) => format switch
    {
        SniffedFormat.Jpeg => new JpegDecoder(),
        SniffedFormat.Png => new PngDecoder(),
        SniffedFormat.Gif => new GifDecoder { DecodingMode = FrameDecodingMode.First },
        SniffedFormat.Webp => new WebpDecoder(),
        _ => throw new NotSupportedException($"no decoder for {format}"),
    };

    private static MemoryStream AsStream(ReadOnlyMemory<byte> data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    private static Configuration CreateConfiguration(ImageFetchOptions options)
    {
        // Only the four formats we accept: BMP, TGA, TIFF and PBM decoders are attack surface we do not need.
        var configuration = new Configuration(
            new JpegConfigurationModule(), new PngConfigurationModule(), new GifConfigurationModule(), new WebpConfigurationModule())
        {
            MaxDegreeOfParallelism = 1,
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                AllocationLimitMegabytes = options.DecoderMemoryLimitMegabytes,
            }),
        };
        return configuration;
    }
}
