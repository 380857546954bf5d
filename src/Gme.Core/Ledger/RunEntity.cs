using MassTransit;

namespace Gme.Core.Ledger;

/// <summary>
/// One pipeline run: what it reads, with which model, into which collection, and how far it got. The row is also the
/// run saga's instance (RunStateMachine in Gme.Ingest): <see cref="Status"/> is the saga's state, changed only by the
/// state machine through <see cref="CurrentState"/>, and <see cref="Version"/> makes every saga save a compare-and-set.
/// The one write outside the saga is the row's creation (<see cref="Start"/>): a run must exist, in its first state,
/// before any stage hears of it, and creating it is the saga's initial insert.
/// </summary>
public sealed class RunEntity : SagaStateMachineInstance, ISagaVersion
{
    public Guid Id { get; set; }
    public required string SourceJson { get; set; }
    public required string SourceDescription { get; set; }
    public required string Provider { get; set; }
    public required string ModelId { get; set; }
    public required string Collection { get; set; }

    /// <summary>The saga's state; set only through <see cref="CurrentState"/>, by the run state machine.</summary>
    public RunStatus Status { get; private set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? IngestCompletedAt { get; set; }
    public int RowsAccepted { get; set; }
    public int RowsRejected { get; set; }
    public DateTime? CollectionReadyAt { get; set; }

    /// <summary>When the saga found every product indexed or failed.</summary>
    public DateTime? IndexedAt { get; set; }

    public DateTime? CompletedAt { get; set; }
    public bool? ValidationPassed { get; set; }
    public string? ReportPath { get; set; }
    public string? Error { get; set; }

    /// <summary>Why the run failed (set with <see cref="Error"/> by the run saga; null unless the run is failed).</summary>
    public RunFailureKind? FailureKind { get; set; }

    /// <summary>
    /// The service named when the run was marked <see cref="RunStatus.Stalled"/> (a stage queue with work and no
    /// consumer); set and cleared by the run saga only.
    /// </summary>
    public string? StalledService { get; set; }

    /// <summary>
    /// W3C traceparent of the request that started the run: what the run's watchdog re-announcements continue, so
    /// they land in the run's trace instead of starting unlinked ones.
    /// </summary>
    public string? TraceParent { get; set; }

    /// <summary>Optimistic concurrency token of the saga: bumped on every saga save.</summary>
    public int Version { get; set; }

    /// <summary>The saga's correlation id is the run id (not a column of its own).</summary>
    public Guid CorrelationId
    {
        get => Id;
        set => Id = value;
    }

    /// <summary>
    /// MassTransit's view of <see cref="Status"/>: the state machine's states are named after <see cref="RunStatus"/>,
    /// so the saga state and the status people read are one column and cannot disagree.
    /// </summary>
    public string CurrentState
    {
        get => Status.ToString();
        set => Status = Enum.TryParse<RunStatus>(value, out var status)
            ? status
            : throw new InvalidOperationException($"Run {Id}: the run saga has no state '{value}' (states are the names of RunStatus).");
    }

    /// <summary>A new run, in the saga's first state (<see cref="RunStatus.Running"/>).</summary>
    public static RunEntity Start(
        Guid id, string sourceJson, string sourceDescription, string provider, string modelId, string collection, DateTime now, string? traceParent = null) =>
        new()
        {
            Id = id,
            SourceJson = sourceJson,
            SourceDescription = sourceDescription,
            Provider = provider,
            ModelId = modelId,
            Collection = collection,
            Status = RunStatus.Running,
            CreatedAt = now,
            UpdatedAt = now,
            TraceParent = traceParent,
        };
}

public enum RunStatus
{
    Running = 0,
    Validating = 1,
    Completed = 2,
    Failed = 3,
    Paused = 4,

    /// <summary>A stage's queue has work and no consumer (its service is down); the run resumes when one returns.</summary>
    Stalled = 5,
}
