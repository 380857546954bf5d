using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Runs;

/// <summary>
/// The one owner of a run's status. The saga instance is the run row (<see cref="RunEntity"/>); its states are the
/// <see cref="RunStatus"/> names, and nothing else changes them. Stages report what happened: their stage events,
/// which make the saga ask the ledger whether every product is indexed or failed (the one place that decides it, and
/// then asks for validation); RunPaused from a stage that hit a cost cap; and the Fault of any stage message, which
/// fails the run with the reason. RunStarted resumes a paused or failed run. Events may arrive more than once, late
/// or in any order: one that means nothing in the current state is ignored, and validation is idempotent.
/// </summary>
public sealed class RunStateMachine : MassTransitStateMachine<RunEntity>
{
    private readonly IDbContextFactory<LedgerDbContext> _dbFactory;
    private readonly TimeProvider _clock;
    private readonly ILogger<RunStateMachine> _logger;

    public RunStateMachine(IDbContextFactory<LedgerDbContext> dbFactory, TimeProvider clock, ILogger<RunStateMachine> logger)
    {
        _dbFactory = dbFactory;
        _clock = clock;
        _logger = logger;

        // The run row is created in Running by RunStarter (the saga's initial insert); no event creates a run.
        InstanceState(x => x.CurrentState);
        Correlate(() => Started, m => m.RunId);
        Correlate(() => DatasetDone, m => m.RunId);
        Correlate(() => ImagesDone, m => m.RunId);
        Correlate(() => EmbeddingsDone, m => m.RunId);
        Correlate(() => ShardGaveUp, m => m.RunId);
        Correlate(() => VectorsDone, m => m.RunId);
        Correlate(() => CollectionReady, m => m.RunId);
        Correlate(() => RemovalsPurged, m => m.RunId);
        Correlate(() => PauseReported, m => m.RunId);
        Correlate(() => Validated, m => m.RunId);
        Correlate(() => StallReported, m => m.RunId);
        Correlate(() => StallCleared, m => m.RunId);
        Correlate(() => RunStartedFaulted, m => m.Message.RunId);
        Correlate(() => ProductsIngestedFaulted, m => m.Message.RunId);
        Correlate(() => ImagesDownloadedFaulted, m => m.Message.RunId);
        Correlate(() => DatasetIngestedFaulted, m => m.Message.RunId);
        Correlate(() => ShardBuiltFaulted, m => m.Message.RunId);
        Correlate(() => ShardSubmittedFaulted, m => m.Message.RunId);
        Correlate(() => CollectShardFaulted, m => m.Message.RunId);
        Correlate(() => EmbeddingsCollectedFaulted, m => m.Message.RunId);
        Correlate(() => ValidateRunFaulted, m => m.Message.RunId);
        Correlate(() => ProductsRemovedFaulted, m => m.Message.RunId);

        // Late and repeated events are normal on this bus (see the summary): they change nothing.
        OnUnhandledEvent(context => context.Ignore());

        During(Running,
            When(Started).IfIndexed(this),
            When(DatasetDone).IfIndexed(this),
            When(ImagesDone, c => c.Message.Failed > 0).IfIndexed(this),
            When(EmbeddingsDone).IfIndexed(this),
            When(ShardGaveUp).IfIndexed(this),
            When(VectorsDone).IfIndexed(this),
            When(CollectionReady).IfIndexed(this),
            When(RemovalsPurged).IfIndexed(this),
            When(PauseReported).Then(c => Stop(c.Saga, c.Message.Reason)).TransitionTo(Paused));

        // A stage's queue has work and nobody consumes it (the watchdog's finding): say so, naming the service, until
        // a consumer is back. Stage events that still arrive meanwhile change nothing; leaving Stalled re-checks the
        // ledger, so the last product indexed while stalled is not missed.
        During(Running, Validating,
            When(StallReported)
                .Then(c =>
                {
                    Stop(c.Saga, c.Message.Reason);
                    c.Saga.StalledService = c.Message.Service;
                })
                .TransitionTo(Stalled));
        During(Stalled,
            When(StallCleared).LeaveStall(this),
            When(Started).LeaveStall(this),
            When(PauseReported).Then(c => Stop(c.Saga, c.Message.Reason)).TransitionTo(Paused));

        // A resumed run re-announces itself; if the validation request was lost in a crash, this asks again. Products
        // sent back since it was indexed (`gme doctor --repair` re-queues those whose vectors were lost) take it back to
        // Running first, so that it is not validated, and called done, without them.
        During(Validating,
            When(Started)
                .ThenAsync(c => ReopenIfPendingAsync(c.Saga, c.CancellationToken))
                .IfElse(c => c.Saga.IndexedAt is not null,
                    validating => validating.Publish(c => new ValidateRun { RunId = c.Saga.Id }),
                    running => running.TransitionTo(Running)),
            When(Validated).Then(c => Touch(c.Saga)).TransitionTo(Completed));

        // Running again takes a stopped run back; it goes straight to validation if it got that far.
        During(Paused, Failed,
            When(Started)
                .Then(c =>
                {
                    c.Saga.Error = null;
                    c.Saga.FailureKind = null;
                    Touch(c.Saga);
                })
                .ThenAsync(c => ReopenIfPendingAsync(c.Saga, c.CancellationToken))
                .IfElse(c => c.Saga.IndexedAt is not null,
                    validating => validating.TransitionTo(Validating).Publish(c => new ValidateRun { RunId = c.Saga.Id }),
                    running => running.TransitionTo(Running).IfIndexed(this)));

        // A stage gave up on a message after its retries. Nothing done so far is lost: running again resumes.
        During(Running, Validating, Paused, Stalled,
            Fail(RunStartedFaulted),
            Fail(ProductsIngestedFaulted),
            Fail(ImagesDownloadedFaulted),
            Fail(DatasetIngestedFaulted),
            Fail(ShardBuiltFaulted),
            Fail(ShardSubmittedFaulted),
            Fail(CollectShardFaulted),
            Fail(EmbeddingsCollectedFaulted),
            Fail(ValidateRunFaulted),
            Fail(ProductsRemovedFaulted));
    }

    // MassTransit assigns states and events by reflection when the machine is built. The states are named exactly as
    // RunStatus, which RunEntity.CurrentState maps them to.
    public State Running { get; private set; } = null!;
    public State Validating { get; private set; } = null!;
    public State Paused { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Stalled { get; private set; } = null!;

    public Event<RunStarted> Started { get; private set; } = null!;
    public Event<DatasetIngested> DatasetDone { get; private set; } = null!;
    public Event<ImagesDownloaded> ImagesDone { get; private set; } = null!;
    public Event<EmbeddingsCollected> EmbeddingsDone { get; private set; } = null!;
    public Event<ShardFailed> ShardGaveUp { get; private set; } = null!;
    public Event<VectorsUpserted> VectorsDone { get; private set; } = null!;
    public Event<CollectionInitialized> CollectionReady { get; private set; } = null!;
    public Event<ProductsPurged> RemovalsPurged { get; private set; } = null!;
    public Event<RunPaused> PauseReported { get; private set; } = null!;
    public Event<RunValidated> Validated { get; private set; } = null!;
    public Event<RunStalled> StallReported { get; private set; } = null!;
    public Event<RunStallCleared> StallCleared { get; private set; } = null!;

    public Event<Fault<RunStarted>> RunStartedFaulted { get; private set; } = null!;
    public Event<Fault<ProductsIngested>> ProductsIngestedFaulted { get; private set; } = null!;
    public Event<Fault<ImagesDownloaded>> ImagesDownloadedFaulted { get; private set; } = null!;
    public Event<Fault<DatasetIngested>> DatasetIngestedFaulted { get; private set; } = null!;
    public Event<Fault<ShardBuilt>> ShardBuiltFaulted { get; private set; } = null!;
    public Event<Fault<ShardSubmitted>> ShardSubmittedFaulted { get; private set; } = null!;
    public Event<Fault<CollectShard>> CollectShardFaulted { get; private set; } = null!;
    public Event<Fault<EmbeddingsCollected>> EmbeddingsCollectedFaulted { get; private set; } = null!;
    public Event<Fault<ValidateRun>> ValidateRunFaulted { get; private set; } = null!;
    public Event<Fault<ProductsRemoved>> ProductsRemovedFaulted { get; private set; } = null!;

    /// <summary>
    /// The one place that decides a run is indexed: ingest has finished and no product of the run is still on its
    /// way (each is indexed or failed for good). Reads the ledger, never message counts, so a repeat is harmless.
    /// </summary>
    internal async Task MarkIfIndexedAsync(RunEntity run, CancellationToken cancellationToken)
    {
        if (run.IndexedAt is not null || run.IngestCompletedAt is null)
        {
            return;
        }

        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        if (await RunCompletion.HasPendingProductsAsync(db, run.Id, cancellationToken))
        {
            return;
        }

        run.IndexedAt = _clock.GetUtcNow().UtcDateTime;
        run.UpdatedAt = run.IndexedAt.Value;
    }

    /// <summary>An indexed run whose products are pending again (re-queued by the doctor) is not indexed any more.</summary>
    private async Task ReopenIfPendingAsync(RunEntity run, CancellationToken cancellationToken)
    {
        if (run.IndexedAt is null)
        {
            return;
        }

        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        if (await RunCompletion.HasPendingProductsAsync(db, run.Id, cancellationToken))
        {
            run.IndexedAt = null;
            Touch(run);
        }
    }

    private void Correlate<T>(System.Linq.Expressions.Expression<Func<Event<T>>> propertyExpression, Func<T, Guid> runId)
        where T : class =>
        Event(propertyExpression, x =>
        {
            x.CorrelateById(m => runId(m.Message));
            x.OnMissingInstance(m => m.Discard());
        });

    private EventActivityBinder<RunEntity, Fault<T>> Fail<T>(Event<Fault<T>> faulted)
        where T : class =>
        When(faulted)
            .Then(c =>
            {
                var fault = c.Message;
                var messageType = fault.FaultMessageTypes.FirstOrDefault()?.Split(':').Last() ?? typeof(T).Name;
                var (error, kind) = RunFailure.FromFault(messageType, fault.Exceptions.FirstOrDefault());
                _logger.StageFaulted(c.Saga.Id, messageType, error);
                Stop(c.Saga, error);
                c.Saga.FailureKind = kind;
            })
            .TransitionTo(Failed);

    private void Stop(RunEntity run, string reason)
    {
        run.Error = reason;
        run.StalledService = null;
        Touch(run);
    }

    /// <summary>A stalled run has consumers again: back to validation if it got that far, else to running.</summary>
    internal void Unstall(RunEntity run)
    {
        run.Error = null;
        run.StalledService = null;
        Touch(run);
    }

    private void Touch(RunEntity run) => run.UpdatedAt = _clock.GetUtcNow().UtcDateTime;
}

/// <summary>The indexed check shared by every event that can settle the last product of a run.</summary>
internal static class RunStateMachineBinders
{
    /// <summary>Leaves Stalled: to Validating (asking again) when the run was indexed, else to Running and the indexed check.</summary>
    public static EventActivityBinder<RunEntity, T> LeaveStall<T>(this EventActivityBinder<RunEntity, T> binder, RunStateMachine machine)
        where T : class =>
        binder
            .Then(c => machine.Unstall(c.Saga))
            .IfElse(c => c.Saga.IndexedAt is not null,
                validating => validating.TransitionTo(machine.Validating).Publish(c => new ValidateRun { RunId = c.Saga.Id }),
                running => running.TransitionTo(machine.Running).IfIndexed(machine));

    public static EventActivityBinder<RunEntity, T> IfIndexed<T>(this EventActivityBinder<RunEntity, T> binder, RunStateMachine machine)
        where T : class =>
        binder
            .ThenAsync(c => machine.MarkIfIndexedAsync(c.Saga, c.CancellationToken))
            .If(c => c.Saga.IndexedAt is not null, indexed => indexed
                .TransitionTo(machine.Validating)
                .Publish(c => new ValidateRun { RunId = c.Saga.Id }));
}
