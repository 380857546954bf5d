using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gme.Search.Web;

/// <summary>
/// Finds a product's cached photo: the ledger knows its image hash, the image cache its file. Only a regular file
/// whose real path (links resolved) lies inside the image cache folder is ever served; the path is computed from the
/// hash, never taken from the catalogue's image reference.
/// </summary>
public sealed class ProductImages(IDbContextFactory<LedgerDbContext> ledger, IImageCache cache, DataPaths paths)
{
    /// <summary>
    /// The photo's path, or null when the product (of <paramref name="collection"/>: ids are unique per catalogue) or
    /// its image is unknown, not cached or not servable.
    /// </summary>
    public async Task<string?> PathForAsync(string productId, string collection, CancellationToken cancellationToken)
    {
        await using var db = await ledger.CreateDbContextAsync(cancellationToken);
        var sha = await db.Products.AsNoTracking().Where(p => p.Collection == collection && p.Id == productId).Select(p => p.ImageSha256).FirstOrDefaultAsync(cancellationToken);
        if (sha is null)
        {
            return null;
        }

        string path;
        try
        {
            path = cache.PathFor(sha);
        }
        catch (ArgumentException)
        {
            // Not a SHA-256: a damaged or tampered ledger row names no cache file.
            return null;
        }

        if (ConfinedPath.Check(paths.Images, path, out var realPath) is not null)
        {
            return null;
        }

        return FileKinds.Of(realPath) == FileKind.Regular ? realPath : null;
    }
}
