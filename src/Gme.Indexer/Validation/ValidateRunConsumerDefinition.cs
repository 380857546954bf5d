using MassTransit;

namespace Gme.Indexer.Validation;

/// <summary>One validation at a time: RunIndexed can be announced more than once for the same run.</summary>
internal sealed class ValidateRunConsumerDefinition : ConsumerDefinition<ValidateRunConsumer>
{
    public ValidateRunConsumerDefinition()
    {
        ConcurrentMessageLimit = 1;
    }
}
