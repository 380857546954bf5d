using System.Data.Common;
using Gme.Contracts;
using Gme.Core;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using Gme.Core.Runs;
using Gme.Core.Storage;
using Gme.Core.VectorFiles;
using Gme.Core.Vectors;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 5: once a shard's job has finished, matches its result lines to the shard's products by key, checks every
/// vector (size, NaN/Inf, zero norm), writes the good ones to a Parquet file and marks the products embedded in the
/// same transaction that records the file. A job that failed, expired or got lost is submitted again, a bounded
/// number of times; only then are its products marked failed, with the reason.
/// </summary>
internal sealed class CollectShardConsumer(
    IDbContextFactory<LedgerDbContext> dbFactory,
    LedgerUnitOfWork unitOfWork,
    IEmbeddingProvider provider,
    ShardRequestFiles requestFiles,
    DataPaths paths,
    IOptions<EmbedderOptions> options,
    TimeProvider clock,
    ILogger<CollectShardConsumer> logger) : IConsumer<ShardSubmitted>, IConsumer<CollectShard>
{
    public Task Consume(ConsumeContext<ShardSubmitted> context) => CollectAsync(context, context.Message.ShardId);

    public Task Consume(ConsumeContext<CollectShard> context) => CollectAsync(context, context.Message.ShardId);

    private async Task CollectAsync(ConsumeContext context, string shardId)
    {
        var ct = context.CancellationToken;
        var db = unitOfWork.Db;
        var outbox = unitOfWork;
        var current = await db.Shards.AsNoTracking().FirstOrDefaultAsync(s => s.Id == shardId, ct);
        if (current is null || current.JobName is null)
        {
            return;
        }

        if (current.State is ShardState.Collected)
        {
            // Redelivered: hand the existing file on again; the upsert stage is idempotent.
            var existing = await db.VectorFiles.AsNoTracking().FirstOrDefaultAsync(f => f.ShardId == current.Id, ct);
            if (existing is not null)
            {
                outbox.Publish(LedgerMessages.Collected(existing));
            }

            return;
        }

        // Claim the shard: only one collector at a time, whether two Embedders or two messages in one (the poller's
        // CollectShard racing a ShardSubmitted). A claim whose holder died is taken over once it expires.
        var now = clock.GetUtcNow().UtcDateTime;
        var token = Guid.NewGuid();
        var expires = now + options.Value.CollectClaimTimeout;
        if (!await ShardEntity.TryClaimAsync(db.Shards, shardId, token, now, expires, ct))
        {
            return;
        }

        try
        {
            await CollectClaimedAsync(context, db, outbox, shardId, now, ct);
        }
        catch
        {
            // Hand the claim back so the retry of this message (or any other collector) can start at once.
            await ReleaseClaimAsync(shardId, token);
            throw;
        }
    }

    private async Task CollectClaimedAsync(ConsumeContext context, LedgerDbContext db, LedgerUnitOfWork outbox, string shardId,
        DateTime now, CancellationToken ct)
    {
        // Loaded after the claim, so the claim token is the row's concurrency token for every save below: if the claim
        // expired and someone else took the shard over meanwhile, our save fails instead of overwriting theirs.
        var shard = await db.Shards.FirstAsync(s => s.Id == shardId, ct);
        using var activity = EmbedderDiagnostics.ActivitySource.StartActivity("collect shard");
        activity?.SetTag(EmbedderDiagnostics.Tags.ShardId, shard.Id);
        activity?.SetTag(EmbedderDiagnostics.Tags.JobName, shard.JobName);

        var status = await provider.GetJobStatusAsync(shard.JobName!, ct);
        if (!status.IsTerminal)
        {
            var age = now - (shard.SubmittedAt ?? now);
            shard.Release(now + PollBackoff.Next(age, options.Value.PollInterval, options.Value.MaxPollInterval));
            if (age > options.Value.StuckJobAfter)
            {
                // Still polled (slowly): Google expires a job after 48 h by itself; the age is visible in status.
                shard.Error = $"job {shard.JobName} still {status.State.ToString().ToLowerInvariant()} after {age.TotalHours:F1} h";
                logger.JobStuck(shard.Id, shard.JobName!, status.State.ToString(), age);
            }

            await db.SaveChangesAsync(ct);
            return;
        }

        var products = await db.Products.Where(p => p.ShardId == shard.Id && p.Stage == ProductStage.Sharded).ToListAsync(ct);

        // Collected before and sent back (its vector file was lost): the request file went with the release.
        await requestFiles.EnsureAsync(shard, products, ct);
        if (status.State is not BatchJobState.Succeeded)
        {
            await RetryOrFailAsync(db, outbox, shard, products, status, now, ct);
            return;
        }

        var existing = products.Count == 0 ? await db.VectorFiles.FirstOrDefaultAsync(f => f.ShardId == shard.Id, ct) : null;
        if (existing is not null)
        {
            // Nothing of the shard is left to embed and its file exists: it was collected already. Writing again would
            // replace that file with an empty one under products that still point at it.
            shard.Collect(now);
            outbox.Publish(LedgerMessages.Collected(existing));
            outbox.Publish(new ReleaseRemoteJob { RunId = shard.RunId, ShardId = shard.Id, JobName = shard.JobName! });
            await db.SaveChangesAsync(ct);
        }
        else
        {
            try
            {
                await WriteVectorsAsync(db, outbox, shard, products, now, ct);
            }
            catch (JobResultsLostException ex)
            {
                // The job's results were deleted or expired: lost work, submitted again like an expired job.
                await RetryOrFailAsync(db, outbox, shard, products, new BatchJobStatus(BatchJobState.Expired, ex.Message), now, ct);
                return;
            }
        }
    }

    private async Task ReleaseClaimAsync(string shardId, Guid token)
    {
        try
        {
            // Not the message's token: it is often the very thing that was cancelled.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await using var db = dbFactory.CreateDbContext();
            await ShardEntity.ReleaseClaimAsync(db.Shards, shardId, token, timeout.Token);
        }
        catch (Exception ex) when (ex is DbException or OperationCanceledException or InvalidOperationException)
        {
            // The ledger is unreachable: the claim simply expires and the poller hands the shard out again.
            logger.ClaimReleaseFailed(shardId, ex);
        }
    }

    private async Task WriteVectorsAsync(LedgerDbContext db, LedgerUnitOfWork outbox, ShardEntity shard,
        List<ProductEntity> products, DateTime now, CancellationToken ct)
    {
        var byId = products.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var spaces = provider.Spaces;
        var rows = new List<VectorRow>(products.Count);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var result in provider.ReadResultsAsync(shard.JobName!, ct))
        {
            if (!byId.ContainsKey(result.Key) || !seen.Add(result.Key))
            {
                continue; // a key we did not ask for, or a duplicated line: never let it map to a second product
            }

            var reason = result.Error ?? CheckVectors(result, spaces);
            if (reason is not null)
            {
                errors[result.Key] = reason;
                continue;
            }

            rows.Add(new VectorRow(result.Key, PointIds.FromProductId(result.Key), result.Vectors!));
        }

        var fileId = shard.Id;
        // One folder per catalogue: a collection's vector files can be listed, copied or dropped without the others'.
        var collection = await db.Runs.AsNoTracking().Where(r => r.Id == shard.RunId).Select(r => r.Collection).FirstOrDefaultAsync(ct)
            ?? GmeOptions.DefaultCollection;
        var folder = Path.Combine(paths.Vectors, collection);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, fileId + ".parquet");
        var summary = await VectorFileWriter.WriteAsync(path, provider.ModelId,
            spaces.Select(s => (s.Name, s.Dimensions)).ToList(), rows, ct);

        var file = await db.VectorFiles.FirstOrDefaultAsync(f => f.Id == fileId, ct);
        if (file is null)
        {
            file = new VectorFileEntity { Id = fileId, ShardId = shard.Id, Path = path, Sha256 = summary.Sha256, ModelId = provider.ModelId };
            db.VectorFiles.Add(file);
        }

        file.RunId = shard.RunId;
        file.Rows = summary.Rows;
        file.Sha256 = summary.Sha256;
        file.State = VectorFileState.Written;
        file.CreatedAt = now;
        file.UpsertedAt = null;

        var embedded = rows.Select(r => r.ProductId).ToHashSet(StringComparer.Ordinal);
        foreach (var product in products)
        {
            product.UpdatedAt = now;
            if (embedded.Contains(product.Id))
            {
                product.MarkEmbedded(fileId);
                continue;
            }

            var reason = errors.GetValueOrDefault(product.Id) ?? "no result line for this product";
            product.Fail(ProductStage.Embedded, $"embedding: {reason}");
            EmbedderDiagnostics.ItemsFailed.Add(1);
            logger.ItemRejected(product.Id, reason);
        }

        shard.Collect(now);
        outbox.Publish(LedgerMessages.Collected(file));

        // Irreversible effects (deleting the job's remote files, recording its spend) only once this commit holds.
        outbox.Publish(new ReleaseRemoteJob { RunId = shard.RunId, ShardId = shard.Id, JobName = shard.JobName!, Release = provider.DescribeRelease(shard.JobName!) });
        await db.SaveChangesAsync(ct);
        EmbedderDiagnostics.ItemsEmbedded.Add(rows.Count);
        logger.ShardCollected(shard.Id, rows.Count, products.Count - rows.Count);
    }

    private static string? CheckVectors(EmbeddingResult result, IReadOnlyList<VectorSpace> spaces)
    {
        if (result.Vectors is null)
        {
            return "result has no vectors";
        }

        foreach (var space in spaces)
        {
            if (!result.Vectors.TryGetValue(space.Name, out var vector))
            {
                return $"vector '{space.Name}' missing";
            }

            if (VectorValidator.Check(vector, space.Dimensions) is { } problem)
            {
                return $"vector '{space.Name}': {problem}";
            }
        }

        return null;
    }

    private async Task RetryOrFailAsync(LedgerDbContext db, LedgerUnitOfWork outbox, ShardEntity shard,
        List<ProductEntity> products, BatchJobStatus status, DateTime now, CancellationToken ct)
    {
        var max = options.Value.MaxShardAttempts;
        logger.JobUnsuccessful(shard.Id, shard.JobName!, status.State.ToString(), status.Error, shard.Attempts, max);
        if (shard.Attempts < max)
        {
            shard.Retry($"{status.State}: {status.Error}");
            outbox.Publish(new ShardBuilt { RunId = shard.RunId, ShardId = shard.Id, Items = shard.Items });
            await db.SaveChangesAsync(ct);
            return;
        }

        var reason = $"{status.State} after {shard.Attempts} attempts: {status.Error}";
        shard.Fail(reason);
        foreach (var product in products)
        {
            product.Fail(ProductStage.Embedded, $"embedding job {status.State.ToString().ToLowerInvariant()}: {status.Error}");
            product.UpdatedAt = now;
        }

        // The run saga hears of it and checks whether these were the run's last products.
        outbox.Publish(new ShardFailed { RunId = shard.RunId, ShardId = shard.Id, Reason = reason });
        await db.SaveChangesAsync(ct);
    }
}
