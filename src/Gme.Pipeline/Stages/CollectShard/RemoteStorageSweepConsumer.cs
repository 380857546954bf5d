using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Stages;

/// <summary>
/// At the end of a run (once it is validated), deletes remote files under Gme's names that no live shard of this ledger uses
/// (what a crash between upload and create, or a killed release, left behind). Best effort: `gme cleanup` repeats it.
/// </summary>
internal sealed class RemoteStorageSweepConsumer(
    IDbContextFactory<LedgerDbContext> dbFactory,
    IEmbeddingProvider provider,
    ILogger<RemoteStorageSweepConsumer> logger) : IConsumer<RunValidated>
{
    public async Task Consume(ConsumeContext<RunValidated> context)
    {
        var ct = context.CancellationToken;
        try
        {
            var live = await LiveShards.ReadAsync(dbFactory, ct);
            var deleted = await provider.SweepRemoteStorageAsync(live, ct);
            logger.RemoteStorageSwept(context.Message.RunId, deleted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.RemoteStorageSweepFailed(context.Message.RunId, ex);
        }
    }
}
