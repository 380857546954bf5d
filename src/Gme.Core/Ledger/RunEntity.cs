namespace Gme.Core.Ledger;

/// <summary>One pipeline run: what it reads, with which model, into which collection, and how far it got.</summary>
public sealed class RunEntity
{
    public Guid Id { get; set; }
    public required string SourceJson { get; set; }
    public required string SourceDescription { get; set; }
    public required string Provider { get; set; }
    public required string ModelId { get; set; }
    public required string Collection { get; set; }
    public RunStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? IngestCompletedAt { get; set; }
    public int RowsAccepted { get; set; }
    public int RowsRejected { get; set; }
    public DateTime? CollectionReadyAt { get; set; }
    public DateTime? IndexedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public bool? ValidationPassed { get; set; }
    public string? ReportPath { get; set; }
    public string? Error { get; set; }
}

public enum RunStatus
{
    Running = 0,
    Validating = 1,
    Completed = 2,
    Failed = 3,
    Paused = 4,
}
