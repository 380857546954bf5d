using MassTransit;

namespace Gme.Ingest.Runs;

/// <summary>The run saga's state, persisted in the ledger's saga_instances table.</summary>
public sealed class RunState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Accepted { get; set; }
    public int Rejected { get; set; }
    public int ValidationsRequested { get; set; }
    public bool? Passed { get; set; }
}
