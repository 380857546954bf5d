using MassTransit;

namespace Gme.Core.Sagas;

/// <summary>
/// Puts a message retry in front of the repository of <typeparamref name="TTarget"/> only, so that a lost optimistic
/// update (DbUpdateConcurrencyException) re-runs the message against the fresh row; other sagas and consumers on the
/// same endpoint are left alone.
/// </summary>
internal sealed class LedgerSagaRetryObserver<TTarget>(Action<IRetryConfigurator> configureRetry) : ISagaConfigurationObserver
    where TTarget : class, ISaga
{
    private bool _applied;

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
        // SagaConfigured fires before the saga's message pipes are validated and built, so the retry connected here
        // reaches every message type of the saga. The flag guards against a second notification.
        if (_applied || configurator is not ISagaConfigurator<TTarget> target)
        {
            return;
        }

        _applied = true;
        target.UseMessageRetry(configureRetry);
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class
    {
    }
}
