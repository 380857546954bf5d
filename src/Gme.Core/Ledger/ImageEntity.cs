namespace Gme.Core.Ledger;

/// <summary>One image reference (URL or path) and where its normalised bytes are in the cache.</summary>
public sealed class ImageEntity
{
    public required string Ref { get; set; }
    public string? Sha256 { get; set; }
    public ImageStatus Status { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public long Bytes { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public enum ImageStatus
{
    Pending = 0,
    Ready = 1,
    Failed = 2,
}
