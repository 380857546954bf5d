namespace Gme.Core.Images;

/// <summary>Content-addressed store of normalised images, named by the SHA-256 of their bytes.</summary>
public interface IImageCache
{
    /// <summary>Where the image with this hash lives (whether or not it exists).</summary>
    string PathFor(string sha256);

    /// <summary>True when the file exists and its bytes still hash to <paramref name="sha256"/>.</summary>
    Task<bool> VerifyAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>Stores bytes (temp file + rename, so a crash never leaves a partial file under a real name).</summary>
    Task<string> StoreAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default);
}
