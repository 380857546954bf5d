namespace Gme.Core.Ledger;

/// <summary>
/// A file a provider stored on a remote account for a shard (an uploaded input or a job's results), recorded when it
/// is known and marked deleted when it is deleted, so releases and status read the ledger, not a remote listing.
/// </summary>
public sealed class RemoteFileEntity
{
    public required string Name { get; init; }
    public required string ShardId { get; init; }
    public RemoteFileKind Kind { get; init; }

    /// <summary>Size in bytes; null where the remote side did not say (results files are not listed to learn it).</summary>
    public long? Bytes { get; init; }

    public DateTime RecordedAt { get; init; }
    public DateTime? DeletedAt { get; private set; }

    /// <summary>Deleted remotely (or found already gone); repeating it keeps the first time.</summary>
    public void MarkDeleted(DateTime at) => DeletedAt ??= at;
}

public enum RemoteFileKind
{
    Input = 0,
    Results = 1,
}
