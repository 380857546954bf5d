using MassTransit;

namespace Gme.Tests.Sagas;

// MassTransit assigns the State and Event properties by reflection in the base constructor.
#pragma warning disable CS8618
public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => Started, e => e.CorrelateById(c => c.Message.CounterId));
        Event(() => Opened, e =>
        {
            e.CorrelateById(c => c.Message.CounterId);
            e.InsertOnInitial = true;
            e.SetSagaFactory(c => new CounterState { CorrelationId = c.Message.CounterId });
        });
        Event(() => Incremented, e =>
        {
            e.CorrelateById(c => c.Message.CounterId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => IncrementedByName, e =>
        {
            e.CorrelateBy((saga, c) => saga.Name == c.Message.Name);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Finished, e => e.CorrelateById(c => c.Message.CounterId));

        Initially(
            When(Started).Then(c => c.Saga.Name = c.Message.Name).TransitionTo(Active),
            When(Opened).Then(c => c.Saga.Name = c.Message.Name).TransitionTo(Active));

        During(Active,
            Ignore(Started),
            Ignore(Opened),
            When(Incremented).ThenAsync(async c =>
            {
                // A little simulated work between load and save, so that concurrent increments really overlap.
                await Task.Delay(5, c.CancellationToken);
                c.Saga.Count++;
            })
            .Publish(c => new CounterChanged(c.Saga.CorrelationId, c.Saga.Count)),
            When(IncrementedByName).Then(c => c.Saga.Count++),
            When(Finished).Finalize());

        SetCompletedWhenFinalized();
    }

    public State Active { get; private set; }

    public Event<CounterStarted> Started { get; private set; }
    public Event<CounterOpened> Opened { get; private set; }
    public Event<CounterIncremented> Incremented { get; private set; }
    public Event<CounterIncrementedByName> IncrementedByName { get; private set; }
    public Event<CounterFinished> Finished { get; private set; }
}
#pragma warning restore CS8618
