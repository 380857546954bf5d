using Gme.Core.Images;
using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.Search;

/// <summary>Finds a product's cached photo: the ledger knows its image hash, the image cache its file.</summary>
public sealed class ProductImages(IDbContextFactory<LedgerDbContext> ledger, IImageCache cache)
{
    /// <summary>The photo's path, or null when the product or its image is unknown or not cached.</summary>
    public async Task<string?> PathForAsync(string productId, CancellationToken cancellationToken)
    {
        await using var db = await ledger.CreateDbContextAsync(cancellationToken);
        var sha = await db.Products.AsNoTracking().Where(p => p.Id == productId).Select(p => p.ImageSha256).FirstOrDefaultAsync(cancellationToken);
        if (sha is null)
        {
            return null;
        }

        var path = cache.PathFor(sha);
        return File.Exists(path) ? path : null;
    }
}
