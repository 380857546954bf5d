using MassTransit;
using MassTransit.Configuration;

namespace Gme.Core.Sagas;

/// <summary>Gives every saga registered by type the ledger repository (with the default retry).</summary>
public sealed class LedgerSagaRepositoryRegistrationProvider : ISagaRepositoryRegistrationProvider
{
    public void Configure<TSaga>(ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISaga =>
        configurator.LedgerRepository();
}
