namespace Gme.Core.Images;

/// <summary>The outcome of fetching one image.</summary>
public sealed record ImageFetchResult
{
    public required bool Succeeded { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the stored, normalised bytes.</summary>
    public string? Sha256 { get; init; }

    public long StoredBytes { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }

    /// <summary>A short machine-readable reason such as <c>http_404</c>, <c>not_an_image</c>, <c>too_many_pixels</c>.</summary>
    public string? FailureReason { get; init; }

    /// <summary>True when retrying cannot help (404, not an image); false for timeouts and 5xx.</summary>
    public bool Permanent { get; init; }

    /// <summary>True when the bytes were already in the cache and nothing was downloaded.</summary>
    public bool FromCache { get; init; }

    public static ImageFetchResult Ok(string sha256, long bytes, int width, int height, bool fromCache) =>
        new() { Succeeded = true, Sha256 = sha256, StoredBytes = bytes, Width = width, Height = height, FromCache = fromCache };

    public static ImageFetchResult Fail(string reason, bool permanent) =>
        new() { Succeeded = false, FailureReason = reason, Permanent = permanent };
}
