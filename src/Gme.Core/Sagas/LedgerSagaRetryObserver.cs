using MassTransit;

namespace Gme.Core.Sagas;

/// <summary>
/// Puts a message retry in front of the repository of <typeparamref name="TTarget"/> only, so that a lost optimistic
/// update (DbUpdateConcurrencyException) re-runs the message against the fresh row; other sagas and consumers on the
/// same endpoint are left alone. Inside the retry, an in-memory outbox holds what the saga publishes until its row is
/// saved: an attempt that loses the optimistic race must not have sent anything (a run's ValidateRun went out twice
/// when the attempt that published it then lost its update and the retry published it again).
/// </summary>
internal sealed class LedgerSagaRetryObserver<TTarget>(Action<IRetryConfigurator> configureRetry, IRegistrationContext registration) : ISagaConfigurationObserver
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

        // Connected after the retry, so it sits inside it: each attempt gets its own outbox, discarded when it fails.
        target.UseInMemoryOutbox(registration);
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
