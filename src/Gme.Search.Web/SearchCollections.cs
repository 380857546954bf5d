using Gme.Core;
using Gme.Core.Ledger;
using Gme.Core.Vectors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Search.Web;

/// <summary>A catalogue the API can search: its (logical) name, its points, and the version behind it when it is an alias.</summary>
public sealed record CollectionInfo(string Name, long Points, string? Live);

/// <summary>
/// The catalogues the API answers from: those the ledger has runs of (and the configured default) that exist in the
/// vector store. Names are the logical ones; the store resolves an alias to its live version.
/// </summary>
public sealed class SearchCollections(IVectorStore store, IDbContextFactory<LedgerDbContext> ledger, IOptions<GmeOptions> options)
{
    /// <summary>The collection searched when a request names none (<c>Gme:Collection</c>).</summary>
    public string Default => options.Value.Collection;

    public async Task<IReadOnlyList<CollectionInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await ledger.CreateDbContextAsync(cancellationToken);
        var names = await db.Runs.AsNoTracking().Select(r => r.Collection).Distinct().ToListAsync(cancellationToken);
        var found = new List<CollectionInfo>();
        foreach (var name in names.Append(Default).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (await ExistsAsync(name, cancellationToken))
            {
                found.Add(new CollectionInfo(name, await store.CountAsync(name, null, cancellationToken),
                    await store.GetAliasTargetAsync(name, cancellationToken)));
            }
        }

        return found;
    }

    /// <summary>True when <paramref name="name"/> is a collection (or alias) of the vector store.</summary>
    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) =>
        GmeOptions.IsValidCollectionName(name) && await store.GetCollectionAsync(name, cancellationToken) is not null;
}
