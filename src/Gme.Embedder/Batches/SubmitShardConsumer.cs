using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Embedder.Batches;

/// <summary>
/// Stage 4: hands a shard to the embedding provider. The intent (state Submitting + display name) is committed
/// before the provider is called, so after a crash the provider can reconcile by name instead of paying twice.
/// </summary>
internal sealed class SubmitShardConsumer(
    IDbContextFactory<LedgerDbContext> dbFactory,
    IEmbeddingProvider provider,
    TimeProvider clock,
    ILogger<SubmitShardConsumer> logger) : IConsumer<ShardBuilt>
{
    public async Task Consume(ConsumeContext<ShardBuilt> context)
    {
        var ct = context.CancellationToken;
        await using var db = dbFactory.CreateDbContext();
        var shard = await db.Shards.FirstOrDefaultAsync(s => s.Id == context.Message.ShardId, ct);
        if (shard is null || shard.State is ShardState.Collected or ShardState.Failed or ShardState.Collecting)
        {
            return;
        }

        var outbox = new LedgerOutbox(db, clock);
        if (shard.State is ShardState.Submitted && shard.JobName is not null)
        {
            // Redelivered after the job was recorded: announce it again (collecting is idempotent).
            outbox.Publish(new ShardSubmitted { RunId = shard.RunId, ShardId = shard.Id, JobName = shard.JobName });
            await outbox.DeliverAsync(context, ct);
            return;
        }

        using var activity = Diagnostics.ActivitySource.StartActivity("submit shard");
        activity?.SetTag(Diagnostics.Tags.ShardId, shard.Id);
        activity?.SetTag(Diagnostics.Tags.ModelVersion, provider.ModelId);

        shard.State = ShardState.Submitting;
        shard.DisplayName = shard.Id;
        shard.Attempts++;
        await db.SaveChangesAsync(ct);

        string jobName;
        try
        {
            jobName = await provider.SubmitShardAsync(shard.Id, shard.Path, ct);
        }
        catch (BudgetExceededException ex)
        {
            // Nothing was sent: the shard waits as built and the run pauses; running again (with a higher cap) resumes.
            shard.State = ShardState.Built;
            shard.Attempts--;
            var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == shard.RunId, ct);
            if (run is not null && run.Status is not RunStatus.Completed)
            {
                run.Status = RunStatus.Paused;
                run.Error = ex.Message;
                run.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            }

            await db.SaveChangesAsync(ct);
            logger.RunPaused(shard.RunId, ex.Message);
            return;
        }

        activity?.SetTag(Diagnostics.Tags.JobName, jobName);

        shard.JobName = jobName;
        shard.State = ShardState.Submitted;
        shard.SubmittedAt = clock.GetUtcNow().UtcDateTime;
        outbox.Publish(new ShardSubmitted { RunId = shard.RunId, ShardId = shard.Id, JobName = jobName });
        await db.SaveChangesAsync(ct);
        logger.ShardSubmitted(shard.Id, jobName);
        await outbox.DeliverAsync(context, ct);
    }
}
