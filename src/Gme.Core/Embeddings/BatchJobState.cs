namespace Gme.Core.Embeddings;

/// <summary>Provider-neutral life cycle of a batch job.</summary>
public enum BatchJobState
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Expired,
    Cancelled,
}
