using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Runs;

/// <summary>A page of runs, newest first; <see cref="Total"/> counts every run. <c>GET /runs</c> and `gme runs` answer with it.</summary>
public sealed record RunList(int Page, int PageSize, int Total, IReadOnlyList<RunListItem> Runs)
{
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Page <paramref name="page"/> (from 1) of <paramref name="pageSize"/> runs, newest first.</summary>
    public static async Task<RunList> ReadAsync(IDbContextFactory<LedgerDbContext> dbFactory, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var total = await db.Runs.CountAsync(cancellationToken);
        var runs = await db.Runs.AsNoTracking()
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(r => new RunListItem(r.Id, r.Status.ToString(), r.SourceDescription, r.Collection, r.ModelId, r.CreatedAt, r.CompletedAt, r.Error))
            .ToListAsync(cancellationToken);
        return new RunList(page, pageSize, total, runs);
    }
}

/// <summary>One run in a <see cref="RunList"/>.</summary>
public sealed record RunListItem(
    Guid RunId, string Status, string Source, string Collection, string ModelId, DateTime CreatedAt, DateTime? CompletedAt, string? Error);
