namespace Gme.Core.Images;

/// <summary>
/// Brings a product photo into the content-addressed image cache, normalised to an RGB JPEG.
/// Implementations never throw for a bad image or a bad server: they return a failure with a reason.
/// </summary>
public interface IImageFetcher
{
    /// <summary>Fetches an http(s) URL; a local path is refused, since there is no folder to keep it in.</summary>
    Task<ImageFetchResult> FetchAsync(string imageRef, CancellationToken cancellationToken = default) =>
        FetchAsync(imageRef, localRoot: null, cancellationToken);

    /// <param name="imageRef">An absolute http(s) URL or an absolute local file path.</param>
    /// <param name="localRoot">
    /// The folder a local file must really lie in (links resolved); null refuses every local path. Only regular files
    /// are read, never more than the download byte budget.
    /// </param>
    Task<ImageFetchResult> FetchAsync(string imageRef, string? localRoot, CancellationToken cancellationToken);
}
