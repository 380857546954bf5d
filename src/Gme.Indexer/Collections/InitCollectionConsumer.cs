using Gme.Contracts;
using MassTransit;

namespace Gme.Indexer.Collections;

/// <summary>Stage 6 starts with the run: the collection is ready before the first vectors arrive.</summary>
internal sealed class InitCollectionConsumer(CollectionInitializer initializer) : IConsumer<RunStarted>
{
    public async Task Consume(ConsumeContext<RunStarted> context)
    {
        var collection = await initializer.EnsureAsync(context.Message.RunId, context.CancellationToken);
        if (collection is not null)
        {
            await context.Publish(new CollectionInitialized { RunId = context.Message.RunId, Collection = collection }, context.CancellationToken);
        }
    }
}
