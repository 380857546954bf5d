using MassTransit;

namespace Gme.Pipeline.Stages;

/// <summary>One shard builder at a time per process: they all read the same pending set, so more only collide.</summary>
internal sealed class BuildShardsConsumerDefinition : ConsumerDefinition<BuildShardsConsumer>
{
    public BuildShardsConsumerDefinition()
    {
        ConcurrentMessageLimit = 1;
    }
}
