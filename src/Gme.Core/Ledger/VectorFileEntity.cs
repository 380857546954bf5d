namespace Gme.Core.Ledger;

/// <summary>A Parquet file of vectors written by the collect stage, and whether it reached the vector store.</summary>
public sealed class VectorFileEntity
{
    public required string Id { get; set; }
    public Guid RunId { get; set; }
    public required string ShardId { get; set; }
    public required string Path { get; set; }
    public int Rows { get; set; }
    public required string Sha256 { get; set; }
    public required string ModelId { get; set; }
    public VectorFileState State { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpsertedAt { get; set; }
}

public enum VectorFileState
{
    Written = 0,
    Upserted = 1,
}
