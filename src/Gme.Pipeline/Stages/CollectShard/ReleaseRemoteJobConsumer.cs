using Gme.Contracts;
using Gme.Core.Embeddings;
using MassTransit;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Carries out a collected job's release (delete its remote files, record its spend) after the collect committed.
/// Idempotent, so the bus's retry after a failure, or a redelivery, simply runs it again.
/// </summary>
internal sealed class ReleaseRemoteJobConsumer(IEmbeddingProvider provider) : IConsumer<ReleaseRemoteJob>
{
    public Task Consume(ConsumeContext<ReleaseRemoteJob> context) =>
        provider.ReleaseJobAsync(context.Message.JobName, context.Message.Release, context.CancellationToken);
}
