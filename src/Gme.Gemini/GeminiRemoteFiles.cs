using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.Gemini;

/// <summary>
/// The ledger's record of the files Gme stored on the Gemini account (<c>remote_files</c>) and of each shard's attempt:
/// an upload is recorded as soon as it finished, a results file when it is read, and every delete marks its row, so a
/// release after a restart deletes by recorded name and status shows what the account still holds. Without a ledger
/// (a host that only embeds queries) it records nothing and every shard is at its first attempt.
/// </summary>
internal sealed class GeminiRemoteFiles(IDbContextFactory<LedgerDbContext>? ledger, TimeProvider clock)
{
    /// <summary>Records a file the account now holds; recording it again changes nothing.</summary>
    public async Task RecordAsync(string name, string shardId, RemoteFileKind kind, long? bytes, CancellationToken ct)
    {
        if (ledger is null)
        {
            return;
        }

        await using var db = ledger.CreateDbContext();
        if (await db.RemoteFiles.AnyAsync(f => f.Name == name, ct))
        {
            return;
        }

        db.RemoteFiles.Add(new RemoteFileEntity { Name = name, ShardId = shardId, Kind = kind, Bytes = bytes, RecordedAt = clock.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Recorded meanwhile by a concurrent read of the same job: one row is all that is needed.
            if (!await ExistsAsync(name, ct))
            {
                throw;
            }
        }
    }

    /// <summary>Marks files deleted (deleted now, or found already gone).</summary>
    public async Task MarkDeletedAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        if (ledger is null || names.Count == 0)
        {
            return;
        }

        await using var db = ledger.CreateDbContext();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var file in await db.RemoteFiles.Where(f => names.Contains(f.Name) && f.DeletedAt == null).ToListAsync(ct))
        {
            file.MarkDeleted(now);
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>The shard's recorded files not yet deleted.</summary>
    public async Task<IReadOnlyList<string>> HeldAsync(string shardId, CancellationToken ct)
    {
        if (ledger is null)
        {
            return [];
        }

        await using var db = ledger.CreateDbContext();
        return await db.RemoteFiles.AsNoTracking().Where(f => f.ShardId == shardId && f.DeletedAt == null).Select(f => f.Name).ToListAsync(ct);
    }

    /// <summary>Recorded files not yet deleted that were recorded before <paramref name="before"/>.</summary>
    public async Task<IReadOnlyList<string>> HeldBeforeAsync(DateTime before, CancellationToken ct)
    {
        if (ledger is null)
        {
            return [];
        }

        await using var db = ledger.CreateDbContext();
        return await db.RemoteFiles.AsNoTracking().Where(f => f.DeletedAt == null && f.RecordedAt < before).Select(f => f.Name).ToListAsync(ct);
    }

    /// <summary>The shard's current attempt (1 unless a job of it ended without results and it was submitted again).</summary>
    public async Task<int> AttemptOfAsync(string shardId, CancellationToken ct)
    {
        if (ledger is null)
        {
            return 1;
        }

        await using var db = ledger.CreateDbContext();
        var resubmits = await db.Shards.AsNoTracking().Where(s => s.Id == shardId).Select(s => (int?)s.Resubmits).FirstOrDefaultAsync(ct);
        return (resubmits ?? 0) + 1;
    }

    private async Task<bool> ExistsAsync(string name, CancellationToken ct)
    {
        await using var db = ledger!.CreateDbContext();
        return await db.RemoteFiles.AnyAsync(f => f.Name == name, ct);
    }
}
