namespace Gme.Images;

/// <summary>The outcome of normalising one image: an RGB JPEG and its size, or the reason it was refused.</summary>
public sealed record NormalizedImage
{
    public byte[]? Bytes { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }

    /// <summary><c>unknown_format</c>, <c>not_an_image</c>, <c>corrupt_image</c>, <c>too_many_pixels</c>, <c>empty</c>.</summary>
    public string? FailureReason { get; init; }

    public bool Succeeded => Bytes is not null;

    public static NormalizedImage Ok(byte[] bytes, int width, int height) => new() { Bytes = bytes, Width = width, Height = height };

    public static NormalizedImage Fail(string reason) => new() { FailureReason = reason };
}
