using MassTransit;

namespace Gme.Core.Messaging;

/// <summary>
/// A stage's share of the bus configuration. Each service's <c>Add…Stages</c> method adds one; <c>AddGmeBus</c>
/// applies them all in a single <c>AddMassTransit</c> call, so the same stages run as three services or one process.
/// </summary>
public sealed class BusContribution(Action<IBusRegistrationConfigurator> configure)
{
    public Action<IBusRegistrationConfigurator> Configure { get; } = configure;
}
