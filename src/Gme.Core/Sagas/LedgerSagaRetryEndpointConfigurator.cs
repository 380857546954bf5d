using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Core.Sagas;

/// <summary>
/// MassTransit calls every registered <see cref="IConfigureReceiveEndpoint"/> for each endpoint made by
/// ConfigureEndpoints, before sagas are added to it; this is the only hook a repository registration has on the endpoint.
/// </summary>
internal sealed class LedgerSagaRetryEndpointConfigurator<TSaga>(Action<IRetryConfigurator> configureRetry, IServiceProvider services) : IConfigureReceiveEndpoint
    where TSaga : class, ISaga
{
    public void Configure(string name, IReceiveEndpointConfigurator configurator) =>
        configurator.ConnectSagaConfigurationObserver(
            new LedgerSagaRetryObserver<TSaga>(configureRetry, services.GetRequiredService<IBusRegistrationContext>()));
}
