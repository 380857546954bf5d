namespace Gme.Core.Embeddings;

/// <summary>
/// A finished job's results no longer exist (deleted or expired remotely): the work is lost and the shard is submitted
/// again as a new job. Never a permanent fault of the shard's products.
/// </summary>
public sealed class JobResultsLostException(string jobName, string reason) : Exception($"results of job {jobName} are lost: {reason}")
{
    public string JobName { get; } = jobName;
}
