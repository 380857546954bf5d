using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Stages;

/// <summary>Shards whose remote files may still be needed: built, being submitted, submitted or being collected.</summary>
public static class LiveShards
{
    public static async Task<IReadOnlySet<string>> ReadAsync(IDbContextFactory<LedgerDbContext> dbFactory, CancellationToken ct)
    {
        await using var db = dbFactory.CreateDbContext();
        var ids = await db.Shards.AsNoTracking()
            .Where(s => s.State != ShardState.Collected && s.State != ShardState.Failed)
            .Select(s => s.Id)
            .ToListAsync(ct);
        return ids.ToHashSet(StringComparer.Ordinal);
    }
}
