using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 4: hands a shard to the embedding provider. The intent (state Submitting + display name) is committed
/// before the provider is called, so after a crash the provider can reconcile by name instead of paying twice.
/// </summary>
internal sealed class SubmitShardConsumer(
    LedgerUnitOfWork unitOfWork,
    IEmbeddingProvider provider,
    TimeProvider clock,
    ILogger<SubmitShardConsumer> logger) : IConsumer<ShardBuilt>
{
    public async Task Consume(ConsumeContext<ShardBuilt> context)
    {
        var ct = context.CancellationToken;
        var db = unitOfWork.Db;
        var shard = await db.Shards.FirstOrDefaultAsync(s => s.Id == context.Message.ShardId, ct);
        if (shard is null || shard.State is ShardState.Collected or ShardState.Failed or ShardState.Collecting)
        {
            return;
        }

        if (shard.State is ShardState.Submitted && shard.JobName is not null)
        {
            // Redelivered after the job was recorded: announce it again (collecting is idempotent).
            unitOfWork.Publish(new ShardSubmitted { RunId = shard.RunId, ShardId = shard.Id, JobName = shard.JobName });
            return;
        }

        using var activity = EmbedderDiagnostics.ActivitySource.StartActivity("submit shard");
        activity?.SetTag(EmbedderDiagnostics.Tags.ShardId, shard.Id);
        activity?.SetTag(EmbedderDiagnostics.Tags.ModelVersion, provider.ModelId);

        shard.BeginSubmit();
        await db.SaveChangesAsync(ct);

        string jobName;
        try
        {
            jobName = await provider.SubmitShardAsync(shard.Id, shard.Path, ct);
        }
        catch (BudgetExceededException ex)
        {
            // Nothing was sent: the shard waits as built and the run saga pauses the run; running again (with a
            // higher cap) resumes.
            shard.CancelSubmit();
            unitOfWork.Publish(new RunPaused { RunId = shard.RunId, Reason = ex.Message });
            await db.SaveChangesAsync(ct);
            logger.RunPaused(shard.RunId, ex.Message);
            return;
        }

        activity?.SetTag(EmbedderDiagnostics.Tags.JobName, jobName);

        shard.MarkSubmitted(jobName, clock.GetUtcNow().UtcDateTime);
        unitOfWork.Publish(new ShardSubmitted { RunId = shard.RunId, ShardId = shard.Id, JobName = jobName });
        await db.SaveChangesAsync(ct);
        logger.ShardSubmitted(shard.Id, jobName);
    }
}
