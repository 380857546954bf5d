namespace Gme.Core.Images;

/// <summary>
/// Brings a product photo into the content-addressed image cache, normalised to an RGB JPEG.
/// Implementations never throw for a bad image or a bad server: they return a failure with a reason.
/// </summary>
public interface IImageFetcher
{
    /// <param name="imageRef">An absolute http(s) URL or an absolute local file path.</param>
    Task<ImageFetchResult> FetchAsync(string imageRef, CancellationToken cancellationToken = default);
}
