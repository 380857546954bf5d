using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Core.Sagas;

/// <summary>Registers the ledger saga repository (the saga instance is an entity of the ledger model, optimistic on its Version).</summary>
public static class LedgerSagaRepositoryRegistrationExtensions
{
    /// <summary>
    /// Persists <typeparamref name="T"/> in the ledger: <c>x.AddSagaStateMachine&lt;RunStateMachine, RunState&gt;().LedgerRepository();</c>.
    /// Needs <c>AddSqliteLedger</c> or <c>AddPostgresLedger</c> (for <c>IDbContextFactory&lt;LedgerDbContext&gt;</c>).
    /// </summary>
    /// <param name="configurator">The saga registration.</param>
    /// <param name="configureRetry">
    /// The retry put in front of this saga's repository on endpoints made by <c>ConfigureEndpoints</c>. It must exist:
    /// a concurrent update of the same instance fails with DbUpdateConcurrencyException and only a retry re-runs the
    /// message against the fresh state. Default: <see cref="DefaultRetry"/>. Pass <c>r =&gt; r.None()</c> when the
    /// endpoint already has <c>UseMessageRetry</c>; an endpoint configured by hand must add <c>UseMessageRetry</c> itself.
    /// </param>
    public static ISagaRegistrationConfigurator<T> LedgerRepository<T>(
        this ISagaRegistrationConfigurator<T> configurator,
        Action<IRetryConfigurator>? configureRetry = null)
        where T : class, ISaga
    {
        configurator.Repository(services => services.AddLedgerSagaRepository<T>(configureRetry ?? DefaultRetry));
        return configurator;
    }

    /// <summary>Uses the ledger repository for sagas added without an explicit repository (e.g. AddSagaStateMachines(assembly)).</summary>
    public static void SetLedgerSagaRepositoryProvider(this IRegistrationConfigurator configurator) =>
        configurator.SetSagaRepositoryProvider(new LedgerSagaRepositoryRegistrationProvider());

    /// <summary>
    /// Retries database update failures (lost optimistic updates, and the lost race of two initial events creating the
    /// same instance) up to 20 times with a jittered exponential back-off from 10 ms to 2 s, so that contenders spread out.
    /// </summary>
    public static void DefaultRetry(IRetryConfigurator retry)
    {
        retry.Handle<DbUpdateException>();
        retry.Exponential(20, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20));
    }

    private static void AddLedgerSagaRepository<T>(this IServiceCollection services, Action<IRetryConfigurator> configureRetry)
        where T : class, ISaga
    {
        // Same order as MassTransit's in-memory repository: load and query first, so RegisterSagaRepository's
        // "not supported" fallbacks for them are not added.
        services.RegisterLoadSagaRepository<T, LedgerSagaRepositoryContextFactory<T>>();
        services.RegisterQuerySagaRepository<T, LedgerSagaRepositoryContextFactory<T>>();
        services.RegisterSagaRepository<T, LedgerSagaSession<T>, SagaConsumeContextFactory<LedgerSagaSession<T>, T>, LedgerSagaRepositoryContextFactory<T>>();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureReceiveEndpoint, LedgerSagaRetryEndpointConfigurator<T>>(
            sp => new LedgerSagaRetryEndpointConfigurator<T>(configureRetry, sp)));
    }
}
