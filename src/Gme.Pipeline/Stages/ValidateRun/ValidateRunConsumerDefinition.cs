using MassTransit;

namespace Gme.Pipeline.Stages;

/// <summary>One validation at a time: the run saga can ask more than once for the same run (a resume asks again).</summary>
internal sealed class ValidateRunConsumerDefinition : ConsumerDefinition<ValidateRunConsumer>
{
    public ValidateRunConsumerDefinition()
    {
        ConcurrentMessageLimit = 1;
    }
}
