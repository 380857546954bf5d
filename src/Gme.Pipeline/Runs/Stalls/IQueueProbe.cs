namespace Gme.Pipeline.Runs.Stalls;

/// <summary>Asks the broker how many messages wait in each queue and how many consumers read it.</summary>
internal interface IQueueProbe
{
    /// <summary>The state of each queue the broker knows; a queue never declared (its service never started) is left out.</summary>
    Task<IReadOnlyList<QueueState>> ProbeAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken);
}
