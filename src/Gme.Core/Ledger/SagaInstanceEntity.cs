namespace Gme.Core.Ledger;

/// <summary>
/// A saga instance stored as JSON with an optimistic-concurrency version
/// (MassTransit.EntityFrameworkCore is not available, so the ledger keeps saga state itself).
/// </summary>
public sealed class SagaInstanceEntity
{
    public Guid CorrelationId { get; set; }
    public required string SagaType { get; set; }
    public required string Data { get; set; }
    public int Version { get; set; }
    public DateTime UpdatedAt { get; set; }
}
