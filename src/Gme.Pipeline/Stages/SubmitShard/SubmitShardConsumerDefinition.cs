using MassTransit;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>Bounds concurrent submissions: a local model uses every core for one shard; a remote API has quotas.</summary>
internal sealed class SubmitShardConsumerDefinition : ConsumerDefinition<SubmitShardConsumer>
{
    public SubmitShardConsumerDefinition(IOptions<EmbedderOptions> options)
    {
        ConcurrentMessageLimit = options.Value.SubmitConcurrency;
    }
}
