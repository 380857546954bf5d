using Gme.Contracts;
using Gme.Core.Embeddings;
using MassTransit;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Carries out a collected job's release (delete its remote files, record its spend, delete the local request file)
/// after the collect committed. Idempotent, so the bus's retry after a failure, or a redelivery, simply runs it again.
/// </summary>
internal sealed class ReleaseRemoteJobConsumer(IEmbeddingProvider provider, ShardRequestFiles requestFiles) : IConsumer<ReleaseRemoteJob>
{
    public async Task Consume(ConsumeContext<ReleaseRemoteJob> context)
    {
        await provider.ReleaseJobAsync(context.Message.JobName, context.Message.Release, context.CancellationToken);
        await requestFiles.DeleteCollectedAsync(context.Message.ShardId, context.CancellationToken);
    }
}
