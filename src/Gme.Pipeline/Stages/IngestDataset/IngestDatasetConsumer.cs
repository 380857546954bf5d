using System.Diagnostics;
using System.Text.Json;
using Gme.Contracts;
using Gme.Core;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using Gme.Core.Sources;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 1: reads the run's source row by row, stores products in chunks and hands each chunk on, so downloads
/// start while the rest of the file is still being read. Re-reading a source is cheap and idempotent: unchanged
/// products keep their progress, and rejections are keyed by row number.
/// </summary>
internal sealed class IngestDatasetConsumer(
    LedgerUnitOfWork unitOfWork,
    IDatasetSourceFactory sources,
    ProductChunkWriter writer,
    IOptions<GmeOptions> gmeOptions,
    IOptions<IngestOptions> ingestOptions,
    TimeProvider clock,
    ILogger<IngestDatasetConsumer> logger) : IConsumer<RunStarted>
{
    public async Task Consume(ConsumeContext<RunStarted> context)
    {
        var ct = context.CancellationToken;
        var runId = context.Message.RunId;
        var run = await unitOfWork.Db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct);

        // Not a failed run: RunStarted is also what resumes one, and the run saga may not have taken it back yet when
        // this reads the row. Only a completed run is never read again.
        if (run is null || run.Status is RunStatus.Completed)
        {
            return;
        }

        using var activity = IngestDiagnostics.ActivitySource.StartActivity("ingest dataset");
        activity?.SetTag(IngestDiagnostics.Tags.RunId, runId);
        var spec = JsonSerializer.Deserialize<SourceSpec>(run.SourceJson)
            ?? throw new InvalidOperationException($"Run {runId} has no readable source specification.");
        var source = sources.Open(spec);
        logger.IngestStarted(runId, source.Description);

        var mapper = new ProductMapper(spec.ColumnMap, source.BaseDirectory, spec.ImagesRoot);
        var chunkSize = gmeOptions.Value.ChunkSize;
        var firstSeen = new Dictionary<string, long>(StringComparer.Ordinal);
        var chunk = new List<(long, ProductRecord)>(chunkSize);
        var rejections = new List<RowRejection>();
        int accepted = 0, rejected = 0, chunkNumber = 0;
        var verdict = new IngestVerdict(spec, source.Description, ingestOptions.Value.MaxRejectedPercent);

        await foreach (var row in source.ReadRowsAsync(ct))
        {
            verdict.Observe(row);
            var (product, rejection) = mapper.Map(row);
            if (product is not null && firstSeen.TryGetValue(product.Id, out var firstRow))
            {
                // Duplicate ids: the first row wins, deterministically, and the others are reported.
                rejection = new RowRejection(row.RowNumber, product.Id, $"duplicate product id (first seen at row {firstRow})");
                product = null;
            }

            if (rejection is not null)
            {
                rejected++;
                rejections.Add(rejection);
                verdict.Rejected(rejection);
                if (rejected <= ingestOptions.Value.MaxRejectionsLogged)
                {
                    logger.RowRejected(runId, rejection.RowNumber, rejection.ProductId, rejection.Reason);
                }
            }
            else if (product is not null)
            {
                firstSeen[product.Id] = row.RowNumber;
                chunk.Add((row.RowNumber, product));
                accepted++;
            }

            if (chunk.Count >= chunkSize || rejections.Count >= chunkSize * 4)
            {
                await FlushAsync(runId, run.Collection, spec.LocalImageRoot(), chunkNumber++, chunk, rejections, ct);
            }

            if (spec.Limit > 0 && accepted >= spec.Limit)
            {
                break;
            }
        }

        await FlushAsync(runId, run.Collection, spec.LocalImageRoot(), chunkNumber, chunk, rejections, ct);
        IngestDiagnostics.RowsRejected.Add(rejected);
        verdict.Check(accepted, rejected);

        // The run saga hears DatasetIngested and checks whether the run is already indexed (all products unchanged).
        // A complete read is a snapshot of the catalogue: what it no longer holds leaves the live set in the same
        // transaction, and the index and vector files follow only once that is committed (ProductsRemoved).
        var db = unitOfWork.Db;
        db.ChangeTracker.Clear();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // A pilot run (--limit) reads part of the source: it is no snapshot, and removes nothing.
        var removed = spec.Limit == 0
            ? await SnapshotRemovals.ApplyAsync(db, runId, run.Collection, source.Description, spec.AllowRemovals,
                ingestOptions.Value.MaxRemovedPercent, now, ct)
            : 0;
        var entity = await db.Runs.FirstAsync(r => r.Id == runId, ct);
        entity.IngestCompletedAt ??= now;
        entity.RowsAccepted = accepted;
        entity.RowsRejected = rejected;
        entity.UpdatedAt = now;
        unitOfWork.Publish(new DatasetIngested { RunId = runId, Accepted = accepted, Rejected = rejected });

        // Also when this attempt removed nothing new: a crash may have left the previous attempt's removals unpurged.
        var unpurged = await db.Products.CountAsync(p => p.RemovedInRunId == runId && p.PurgedAt == null, ct);
        if (unpurged > 0)
        {
            unitOfWork.Publish(new ProductsRemoved { RunId = runId, Products = unpurged, Collection = run.Collection });
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (removed > 0)
        {
            logger.ProductsRemoved(runId, removed);
        }

        logger.IngestFinished(runId, accepted, rejected);
    }

    /// <summary>Stores a chunk of the run's collection and hands it on.</summary>
    private async Task FlushAsync(Guid runId, string collection, string? imagesRoot, int chunkNumber,
        List<(long, ProductRecord)> chunk, List<RowRejection> rejections, CancellationToken ct)
    {
        if (chunk.Count == 0 && rejections.Count == 0)
        {
            return;
        }

        // Each chunk starts a trace of its own, linked to the run's: followed through the three services it shows one
        // batch of products from ingest to index, where one trace per run would grow to every span of 100k products.
        var run = Activity.Current;
        Activity.Current = null;
        using var activity = IngestDiagnostics.ActivitySource.StartActivity(
            "ingest chunk", ActivityKind.Producer, default(ActivityContext), links: run is null ? null : [new ActivityLink(run.Context)]);
        activity?.SetTag(IngestDiagnostics.Tags.RunId, runId);
        activity?.SetTag(IngestDiagnostics.Tags.Chunk, chunkNumber);
        var announcement = chunk.Count == 0 ? null : new ProductsIngested
        {
            RunId = runId,
            ChunkNumber = chunkNumber,
            Collection = collection,
            ProductIds = chunk.Select(c => c.Item2.Id).ToList(),
        };
        await writer.WriteAsync(runId, collection, imagesRoot, chunk, rejections, announcement, ct);
        IngestDiagnostics.ProductsIngested.Add(chunk.Count);

        chunk.Clear();
        rejections.Clear();
        Activity.Current = run;
    }
}
