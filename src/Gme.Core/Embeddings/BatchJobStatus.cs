namespace Gme.Core.Embeddings;

/// <summary>The state of a batch job as last seen.</summary>
public sealed record BatchJobStatus(BatchJobState State, string? Error = null)
{
    public bool IsTerminal => State is BatchJobState.Succeeded or BatchJobState.Failed or BatchJobState.Expired or BatchJobState.Cancelled;
}
