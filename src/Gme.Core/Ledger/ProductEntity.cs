namespace Gme.Core.Ledger;

/// <summary>
/// One product and how far it got. <see cref="Stage"/> is the last stage it finished; a failure keeps the stage it
/// reached and records which stage failed and why, so a later run can retry exactly that.
/// </summary>
public sealed class ProductEntity
{
    public required string Id { get; set; }
    public Guid LastRunId { get; set; }
    public long RowNumber { get; set; }

    /// <summary>SHA-256 of the fields that affect the embedding; a change sends the product through again.</summary>
    public required string ContentHash { get; set; }
    public required string PayloadJson { get; set; }
    public required string Name { get; set; }
    public required string Text { get; set; }
    public required string ImageRef { get; set; }
    public string? ImageSha256 { get; set; }
    public ProductStage Stage { get; set; }
    public bool Failed { get; set; }
    public ProductStage? FailedStage { get; set; }
    public string? LastError { get; set; }
    public int Attempts { get; set; }
    public string? ShardId { get; set; }
    public string? VectorFileId { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>The stages a product passes, in order; the value is the last one finished.</summary>
public enum ProductStage
{
    Ingested = 0,
    ImageReady = 1,
    Sharded = 2,
    Embedded = 3,
    Indexed = 4,
}
