namespace Gme.Core.Ledger;

/// <summary>A source row that was not ingested, with the reason.</summary>
public sealed class RejectedRowEntity
{
    public Guid RunId { get; set; }
    public long RowNumber { get; set; }
    public string? ProductId { get; set; }
    public required string Reason { get; set; }
}
