using System.Buffers;
using System.Security.Cryptography;
using Gme.Core.Storage;

namespace Gme.Core.Images;

/// <summary>
/// The content-addressed image store: <c>images/&lt;sha[0..2]&gt;/&lt;sha&gt;.jpg</c>, named by the SHA-256 of the
/// normalised bytes. Identical photos (colour variants often share one) are stored once.
/// </summary>
public sealed class ImageCache(DataPaths paths) : IImageCache
{
    public string PathFor(string sha256)
    {
        if (!IsSha256(sha256))
        {
            throw new ArgumentException("expected a lower-case hexadecimal SHA-256", nameof(sha256));
        }

        return Path.Combine(paths.Images, sha256[..2], sha256 + ".jpg");
    }

    public async Task<bool> VerifyAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var path = PathFor(sha256);
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var hash = await SHA256.HashDataAsync(stream, cancellationToken);
            return Convert.ToHexStringLower(hash) == sha256;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    public async Task<string> StoreAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes.Span));
        var path = PathFor(sha256);

        // Same name means same content, so an existing file of the right length is kept. A file of another length
        // is damage (the rename is atomic, so not a partial write of ours) and is replaced.
        var existing = new FileInfo(path);
        if (!existing.Exists || existing.Length != bytes.Length)
        {
            await AtomicFile.WriteAllBytesAsync(path, bytes, cancellationToken);
        }

        return sha256;
    }

    private static readonly SearchValues<char> s_lowerHex = SearchValues.Create("0123456789abcdef");

    private static bool IsSha256(string value) =>
        value is { Length: 64 } && value.AsSpan().IndexOfAnyExcept(s_lowerHex) < 0;
}
