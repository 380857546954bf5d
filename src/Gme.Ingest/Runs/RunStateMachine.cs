using Gme.Contracts;
using MassTransit;

namespace Gme.Ingest.Runs;

/// <summary>
/// Follows one run from start to validation. Stages do not wait for the saga (they hand work on chunk by chunk);
/// the saga marks the phases and starts validation once the ledger says every product is indexed or failed.
/// RunIndexed may arrive more than once (several stages can finish the last product, and a resume re-checks), and
/// before DatasetIngested on a busy bus, so it is accepted in every phase and validation is idempotent.
/// </summary>
public sealed class RunStateMachine : MassTransitStateMachine<RunState>
{
    public RunStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, x => x.CorrelateById(m => m.Message.RunId));
        Event(() => Ingested, x => x.CorrelateById(m => m.Message.RunId));
        Event(() => Indexed, x => x.CorrelateById(m => m.Message.RunId));
        Event(() => Validated, x =>
        {
            x.CorrelateById(m => m.Message.RunId);
            x.OnMissingInstance(m => m.Discard());
        });

        Initially(
            When(Started).TransitionTo(Ingesting),
            When(Ingested).Then(c => Record(c.Saga, c.Message)).TransitionTo(Indexing),
            When(Indexed).Then(c => c.Saga.ValidationsRequested++).Publish(c => new ValidateRun { RunId = c.Message.RunId }).TransitionTo(Validating));

        During(Ingesting,
            Ignore(Started),
            When(Ingested).Then(c => Record(c.Saga, c.Message)).TransitionTo(Indexing),
            When(Indexed).Then(c => c.Saga.ValidationsRequested++).Publish(c => new ValidateRun { RunId = c.Message.RunId }).TransitionTo(Validating));

        During(Indexing,
            Ignore(Started),
            When(Ingested).Then(c => Record(c.Saga, c.Message)),
            When(Indexed).Then(c => c.Saga.ValidationsRequested++).Publish(c => new ValidateRun { RunId = c.Message.RunId }).TransitionTo(Validating));

        // A resumed run re-announces itself; if the validation request was lost in a crash, RunIndexed asks again.
        During(Validating,
            Ignore(Started),
            When(Ingested).Then(c => Record(c.Saga, c.Message)),
            When(Indexed).Then(c => c.Saga.ValidationsRequested++).Publish(c => new ValidateRun { RunId = c.Message.RunId }),
            When(Validated).Then(c => c.Saga.Passed = c.Message.Passed).Finalize());

        SetCompletedWhenFinalized();
    }

    // MassTransit assigns states and events by reflection when the machine is built.
    public State Ingesting { get; private set; } = null!;
    public State Indexing { get; private set; } = null!;
    public State Validating { get; private set; } = null!;

    public Event<RunStarted> Started { get; private set; } = null!;
    public Event<DatasetIngested> Ingested { get; private set; } = null!;
    public Event<RunIndexed> Indexed { get; private set; } = null!;
    public Event<RunValidated> Validated { get; private set; } = null!;

    private static void Record(RunState saga, DatasetIngested message)
    {
        saga.Accepted = message.Accepted;
        saga.Rejected = message.Rejected;
    }
}
