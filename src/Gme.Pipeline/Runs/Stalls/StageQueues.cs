using Gme.Pipeline.Stages;
using MassTransit;

namespace Gme.Pipeline.Runs.Stalls;

/// <summary>
/// The queues the run watchdog checks for consumers, with the service that consumes each. Names come from the
/// consumer types through the bus's own kebab-case formatter, so they are the queues the services declare. The
/// Ingest's own queues are left out: when the Ingest is down, so is the watchdog.
/// </summary>
internal static class StageQueues
{
    public static IReadOnlyList<StageQueue> All { get; } = Build();

    private static StageQueue[] Build()
    {
        var name = KebabCaseEndpointNameFormatter.Instance;
        return
        [
            new(name.Consumer<BuildShardsConsumer>(), ResourceNames.Embedder),
            new(name.Consumer<SubmitShardConsumer>(), ResourceNames.Embedder),
            new(name.Consumer<CollectShardConsumer>(), ResourceNames.Embedder),
            new(name.Consumer<ReleaseRemoteJobConsumer>(), ResourceNames.Embedder),
            new(name.Consumer<RemoteStorageSweepConsumer>(), ResourceNames.Embedder),
            new(name.Consumer<InitCollectionConsumer>(), ResourceNames.Indexer),
            new(name.Consumer<UpsertVectorsConsumer>(), ResourceNames.Indexer),
            new(name.Consumer<RemoveProductsConsumer>(), ResourceNames.Indexer),
            new(name.Consumer<ValidateRunConsumer>(), ResourceNames.Indexer),
        ];
    }
}

/// <summary>A stage's receive queue and the service (AppHost resource name) whose consumers read it.</summary>
internal sealed record StageQueue(string Queue, string Service);

/// <summary>What the broker says of a queue now: messages ready for delivery and consumers attached.</summary>
internal sealed record QueueState(string Queue, uint Messages, uint Consumers);
