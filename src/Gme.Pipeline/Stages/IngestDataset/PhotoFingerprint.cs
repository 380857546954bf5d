using System.Globalization;
using System.Security.Cryptography;
using Gme.Core.Storage;

namespace Gme.Pipeline.Stages;

/// <summary>
/// What a snapshot knows of a local photo's bytes, so that a photo rewritten at the same path is a change (the content
/// hash only sees the path). The file's size and modification time are read on every snapshot (no open); the bytes
/// are hashed only when those differ from what the product recorded, so a sync of an unchanged catalogue reads no
/// photo. A URL, a path outside the images root, a link leading out of it, anything but a regular file (a FIFO would
/// block) and an oversized file get no fingerprint: the download stage refuses those with the reason, as before.
/// </summary>
internal static class PhotoFingerprint
{
    /// <summary>Above this the download stage refuses the photo anyway (body_too_large at its default budget and more).</summary>
    private const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>The photo's stamp (size and modification time), or null when it gets no fingerprint.</summary>
    public static string? StampOf(string imageRef, string? imagesRoot, out string? realPath)
    {
        realPath = null;
        if (imagesRoot is null || imageRef.Contains("://", StringComparison.Ordinal) || !Path.IsPathFullyQualified(imageRef))
        {
            return null;
        }

        try
        {
            if (ConfinedPath.Check(imagesRoot, imageRef, out var real) is not null || FileKinds.Of(real) != FileKind.Regular)
            {
                return null;
            }

            var info = new FileInfo(real);
            if (info.Length > MaxBytes)
            {
                return null;
            }

            realPath = real;
            return string.Create(CultureInfo.InvariantCulture, $"{info.Length}:{info.LastWriteTimeUtc.Ticks}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>SHA-256 of the file's bytes, or null when it cannot be read (the download stage says why).</summary>
    public static async Task<string?> HashAsync(string realPath, CancellationToken ct)
    {
        try
        {
            await using var stream = new FileStream(realPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
