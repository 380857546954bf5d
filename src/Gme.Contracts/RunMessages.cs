namespace Gme.Contracts;

// Messages are hints, the ledger is the truth: every consumer re-reads what is pending from the ledger
// for the ids a message names, so a redelivered or replayed message changes nothing.
// Versioning is additive only; a breaking change gets a new type (e.g. ShardBuiltV2).

/// <summary>A run was created in the ledger (or resumed) and its stages may start.</summary>
public sealed record RunStarted
{
    public required Guid RunId { get; init; }
}

/// <summary>Stage 1 finished reading the whole dataset for the run.</summary>
public sealed record DatasetIngested
{
    public required Guid RunId { get; init; }
    public required int Accepted { get; init; }
    public required int Rejected { get; init; }
}

/// <summary>Command to stage 8 (sent by the run saga once every product is indexed or failed): validate the run's output.</summary>
public sealed record ValidateRun
{
    public required Guid RunId { get; init; }
}

/// <summary>Stage 8 finished; the report is in the ledger and on disk.</summary>
public sealed record RunValidated
{
    public required Guid RunId { get; init; }
    public required bool Passed { get; init; }
}

/// <summary>A stage stopped the run for a reason that needs a person (a cost cap); the run saga pauses it.</summary>
public sealed record RunPaused
{
    public required Guid RunId { get; init; }
    public required string Reason { get; init; }
}

/// <summary>
/// The run watchdog saw a stage queue with work and no consumer for longer than its limit: the service that consumes
/// it is down. The run saga marks the run Stalled, naming the service.
/// </summary>
public sealed record RunStalled
{
    public required Guid RunId { get; init; }

    /// <summary>The resource name of the service with no consumer (gme-embedder, gme-indexer, gme-ingest).</summary>
    public required string Service { get; init; }

    /// <summary>One line for people: which queue waits, how much, and for how long.</summary>
    public required string Reason { get; init; }
}

/// <summary>Every stage queue with work has a consumer again: the run saga takes a stalled run back.</summary>
public sealed record RunStallCleared
{
    public required Guid RunId { get; init; }
}
