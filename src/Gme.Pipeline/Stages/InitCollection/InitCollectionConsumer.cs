using Gme.Contracts;
using Gme.Core.Messaging.Outbox;
using MassTransit;

namespace Gme.Pipeline.Stages;

/// <summary>Stage 6 starts with the run: the collection is ready before the first vectors arrive.</summary>
internal sealed class InitCollectionConsumer(CollectionInitializer initializer, LedgerUnitOfWork unitOfWork) : IConsumer<RunStarted>
{
    public async Task Consume(ConsumeContext<RunStarted> context)
    {
        var collection = await initializer.EnsureAsync(context.Message.RunId, context.CancellationToken);
        if (collection is not null)
        {
            // Through the outbox like every stage message; the unit of work commits and sends it when this returns.
            unitOfWork.Publish(new CollectionInitialized { RunId = context.Message.RunId, Collection = collection });
        }
    }
}
