using System.Diagnostics.Metrics;
using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Telemetry;

/// <summary>
/// The queue depth of each stage as the ledger sees it: products of unfinished runs waiting for their photo, for their
/// vectors, and for the index (gauge <c>gme.pipeline.waiting</c>, tag <c>gme.stage</c>). A stage whose number grows
/// while the next one's rate is zero is the one to look at. Read every <see cref="Interval"/> while a run is
/// unfinished, by the Ingest service (the owner of runs), and only the last reading is reported. An idle service reads
/// nothing (no polling queries, no polling traces) until a run is posted (<see cref="Wake"/>) or it restarts.
/// </summary>
internal sealed class PipelineDepth(IDbContextFactory<LedgerDbContext> dbFactory, TimeProvider clock, ILogger<PipelineDepth> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static readonly (string Stage, ProductStage Waiting)[] s_stages =
    [
        ("download-images", ProductStage.Ingested),
        ("embed", ProductStage.ImageReady),
        ("index", ProductStage.Embedded),
    ];

    private volatile IReadOnlyList<Measurement<long>> _last = [];
    private int _woken = 1;
    private bool _active;

    /// <summary>A run was posted: read at the next tick, and keep reading while any run is unfinished.</summary>
    public void Wake() => Interlocked.Exchange(ref _woken, 1);

    public IEnumerable<Measurement<long>> Observe() => _last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IngestDiagnostics.Meter.CreateObservableGauge("gme.pipeline.waiting", Observe, "{product}",
            "Products of unfinished runs waiting for a stage (download-images, embed, index)");
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            if (Interlocked.Exchange(ref _woken, 0) == 0 && !_active)
            {
                continue;
            }

            try
            {
                (_last, _active) = await ReadAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A gauge must never take the service down; the next tick tries again.
                TelemetryLog.DepthUnreadable(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<(IReadOnlyList<Measurement<long>> Waiting, bool Active)> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var unfinished = await db.Runs.AsNoTracking()
            .Where(r => r.Status != RunStatus.Completed && r.Status != RunStatus.Failed && r.Status != RunStatus.Paused)
            .Select(r => r.Id).ToListAsync(cancellationToken);
        if (unfinished.Count == 0)
        {
            return ([.. s_stages.Select(s => new Measurement<long>(0, new KeyValuePair<string, object?>("gme.stage", s.Stage)))], false);
        }

        var counts = await db.Products.AsNoTracking()
            .Where(p => unfinished.Contains(p.LastRunId) && !p.Failed && p.RemovedInRunId == null)
            .GroupBy(p => p.Stage).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        return ([.. s_stages.Select(s => new Measurement<long>(
            counts.Where(c => c.Key == s.Waiting).Sum(c => c.Count), new KeyValuePair<string, object?>("gme.stage", s.Stage)))], true);
    }
}
