using Gme.Contracts;
using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Ingest.Runs;

/// <summary>
/// When a stage gives up on a message after its retries, the run is marked failed with the reason, so `gme run`
/// stops waiting and says why. Nothing done so far is lost: running again resumes from the ledger.
/// </summary>
internal sealed class StageFaultConsumer(
    IDbContextFactory<LedgerDbContext> dbFactory,
    TimeProvider clock,
    ILogger<StageFaultConsumer> logger) :
    IConsumer<Fault<RunStarted>>,
    IConsumer<Fault<ProductsIngested>>,
    IConsumer<Fault<ImagesDownloaded>>,
    IConsumer<Fault<DatasetIngested>>,
    IConsumer<Fault<ShardBuilt>>,
    IConsumer<Fault<ShardSubmitted>>,
    IConsumer<Fault<CollectShard>>,
    IConsumer<Fault<EmbeddingsCollected>>,
    IConsumer<Fault<ValidateRun>>
{
    public Task Consume(ConsumeContext<Fault<RunStarted>> context) => FailAsync(context.Message.Message.RunId, context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<Fault<ProductsIngested>> context) => FailAsync(context.Message.Message.RunId, context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<Fault<ImagesDownloaded>> context) => FailAsync(context.Message.Message.RunId, context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<Fault<DatasetIngested>> context) => FailAsync(context.Message.Message.RunId, context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<Fault<ShardBuilt>> context) => FailAsync(context.Message.Message.RunId, context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<Fault<ShardSubmitted>> context) => FailAsync(context.Message.Message.RunId, context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<Fault<CollectShard>> context) => FailAsync(context.Message.Message.RunId, context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<Fault<EmbeddingsCollected>> context) => FailAsync(context.Message.Message.RunId, context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<Fault<ValidateRun>> context) => FailAsync(context.Message.Message.RunId, context.Message, context.CancellationToken);

    private async Task FailAsync(Guid runId, Fault fault, CancellationToken ct)
    {
        var error = fault.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType.Split('.').Last()}: {e.Message}" : "unknown error";
        var messageType = fault.FaultMessageTypes.FirstOrDefault()?.Split(':').Last() ?? "message";
        logger.StageFaulted(runId, messageType, error);

        await using var db = dbFactory.CreateDbContext();
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.Status is RunStatus.Completed)
        {
            return;
        }

        run.Status = RunStatus.Failed;
        run.Error = $"{messageType} failed: {error}";
        run.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }
}
