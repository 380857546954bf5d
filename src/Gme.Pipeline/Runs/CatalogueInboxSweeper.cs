using System.Text.Json;
using Gme.Core.Ledger;
using Gme.Core.Sources;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Runs;

/// <summary>
/// Deletes catalogues from the <see cref="CatalogueInbox"/> once no run that may read them again is left. The ingest
/// stage reads a run's catalogue again on every RunStarted (a resume, the watchdog's re-announcement) until the run is
/// Completed or Failed, so a file stays while an unfinished run names it; a failed run's file goes too, because
/// resuming it through the API takes posting the same catalogue again, which stores it again under the same name.
/// Files (and partial transfers a crash left) younger than <see cref="Grace"/> are kept: a request may be between
/// storing its file and starting its run.
/// </summary>
internal sealed partial class CatalogueInboxSweeper(
    CatalogueInbox inbox, IDbContextFactory<LedgerDbContext> dbFactory, TimeProvider clock, ILogger<CatalogueInboxSweeper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan Grace = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                var removed = await SweepAsync(stoppingToken);
                if (removed > 0)
                {
                    CataloguesRemoved(logger, removed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                SweepFailed(logger, ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes the inbox's files no unfinished run reads and older than <see cref="Grace"/>; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(inbox.Folder))
        {
            return 0;
        }

        List<string> sources;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            sources = await db.Runs.AsNoTracking()
                .Where(r => r.Status != RunStatus.Completed && r.Status != RunStatus.Failed)
                .Select(r => r.SourceJson)
                .ToListAsync(cancellationToken);
        }

        var read = sources
            .Select(json => JsonSerializer.Deserialize<SourceSpec>(json))
            .Where(spec => spec is { Kind: "file", Location.Length: > 0 })
            .Select(spec => Path.GetFullPath(spec!.Location))
            .ToHashSet(StringComparer.Ordinal);
        var cutoff = clock.GetUtcNow().UtcDateTime - Grace;
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(inbox.Folder))
        {
            if (!read.Contains(file) && File.GetLastWriteTimeUtc(file) < cutoff)
            {
                File.Delete(file);
                removed++;
            }
        }

        return removed;
    }

    [LoggerMessage(1110, LogLevel.Information, "Catalogue inbox: {Files} catalogues no unfinished run reads were deleted")]
    private static partial void CataloguesRemoved(ILogger logger, int files);

    [LoggerMessage(1111, LogLevel.Warning, "Catalogue inbox: sweep failed ({Error}); trying again at the next tick")]
    private static partial void SweepFailed(ILogger logger, string error);
}
