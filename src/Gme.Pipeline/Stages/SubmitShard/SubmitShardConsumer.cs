using System.Data.Common;
using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 4: hands a shard to the embedding provider. The intent (state Submitting + display name) is committed
/// before the provider is called, as a claim only one consumer wins, so two deliveries of one ShardBuilt (a
/// redelivery, the outbox sweeper, a re-announcement) never pay for two jobs; after a crash the claim is released (or
/// expires) and the provider reconciles by name instead of paying twice.
/// </summary>
internal sealed class SubmitShardConsumer(
    IDbContextFactory<LedgerDbContext> dbFactory,
    LedgerUnitOfWork unitOfWork,
    IEmbeddingProvider provider,
    IOptions<EmbedderOptions> options,
    TimeProvider clock,
    ILogger<SubmitShardConsumer> logger) : IConsumer<ShardBuilt>
{
    public async Task Consume(ConsumeContext<ShardBuilt> context)
    {
        var ct = context.CancellationToken;
        var db = unitOfWork.Db;
        var current = await db.Shards.AsNoTracking().FirstOrDefaultAsync(s => s.Id == context.Message.ShardId, ct);
        if (current is null || current.State is ShardState.Collected or ShardState.Failed or ShardState.Collecting)
        {
            return;
        }

        if (current.State is ShardState.Submitted && current.JobName is not null)
        {
            // Redelivered after the job was recorded: announce it again (collecting is idempotent).
            unitOfWork.Publish(new ShardSubmitted { RunId = current.RunId, ShardId = current.Id, JobName = current.JobName });
            return;
        }

        // Committed at once, before anything is sent. The loser of the claim does nothing: the holder announces the
        // job once it is created, and a holder that dies leaves a claim that recovery releases or that expires.
        var now = clock.GetUtcNow().UtcDateTime;
        var token = Guid.NewGuid();
        if (!await ShardEntity.TryClaimSubmitAsync(db.Shards, current.Id, token, now, now + options.Value.SubmitClaimTimeout, ct))
        {
            logger.SubmitClaimTaken(current.Id);
            return;
        }

        try
        {
            await SubmitClaimedAsync(db, current.Id, ct);
        }
        catch
        {
            // Hand the claim back so the retry of this message can submit at once (reconciling by display name).
            await ReleaseClaimAsync(current.Id, token);
            throw;
        }
    }

    private async Task SubmitClaimedAsync(LedgerDbContext db, string shardId, CancellationToken ct)
    {
        // Loaded after the claim, so the claim token is the row's concurrency token for the saves below: a holder whose
        // claim expired and was taken over cannot overwrite the new holder's record.
        var shard = await db.Shards.FirstAsync(s => s.Id == shardId, ct);
        using var activity = EmbedderDiagnostics.ActivitySource.StartActivity("submit shard");
        activity?.SetTag(EmbedderDiagnostics.Tags.ShardId, shard.Id);
        activity?.SetTag(EmbedderDiagnostics.Tags.ModelVersion, provider.ModelId);

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

    private async Task ReleaseClaimAsync(string shardId, Guid token)
    {
        try
        {
            // Not the message's token: it is often the very thing that was cancelled.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await using var db = dbFactory.CreateDbContext();
            await ShardEntity.ReleaseSubmitClaimAsync(db.Shards, shardId, token, timeout.Token);
        }
        catch (Exception ex) when (ex is DbException or OperationCanceledException or InvalidOperationException)
        {
            // The ledger is unreachable: the claim simply expires and recovery (or the watchdog) announces it again.
            logger.ClaimReleaseFailed(shardId, ex);
        }
    }
}
