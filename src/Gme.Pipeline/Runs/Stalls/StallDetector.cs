namespace Gme.Pipeline.Runs.Stalls;

/// <summary>
/// Decides, from successive broker readings, which stage queues have had work and no consumer for longer than the
/// limit. A queue stalls only after the limit because consumers vanish for a moment in ordinary life (a broker
/// restart, a redeploy); one reading with a consumer clears it at once. The latest finding is kept for the health
/// check, which reads it from another thread.
/// </summary>
internal sealed class StallDetector
{
    private readonly Dictionary<string, DateTimeOffset> _idleSince = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<QueueStall> _current = [];

    /// <summary>The stalls found by the latest reading (empty when every queue with work has a consumer).</summary>
    public IReadOnlyList<QueueStall> Current => _current;

    /// <summary>Takes one reading of the queues and returns the queues stalled for at least <paramref name="limit"/>.</summary>
    public IReadOnlyList<QueueStall> Observe(IReadOnlyList<QueueState> states, DateTimeOffset now, TimeSpan limit)
    {
        var stalls = new List<QueueStall>();
        foreach (var queue in StageQueues.All)
        {
            var state = states.FirstOrDefault(s => s.Queue == queue.Queue);
            if (state is not { Messages: > 0, Consumers: 0 })
            {
                _idleSince.Remove(queue.Queue);
                continue;
            }

            var since = _idleSince.TryGetValue(queue.Queue, out var first) ? first : _idleSince[queue.Queue] = now;
            if (now - since >= limit)
            {
                stalls.Add(new QueueStall(queue.Queue, queue.Service, state.Messages, now - since));
            }
        }

        _current = stalls;
        return stalls;
    }

    /// <summary>Forgets every reading (no run is active, so nothing is waiting on a queue).</summary>
    public void Reset()
    {
        _idleSince.Clear();
        _current = [];
    }
}

/// <summary>A stage queue with <see cref="Messages"/> waiting and no consumer for <see cref="For"/>.</summary>
internal sealed record QueueStall(string Queue, string Service, uint Messages, TimeSpan For)
{
    /// <summary>One line for the run's error, the runs API and the health check.</summary>
    public string Describe() =>
        $"{Service} is not consuming: queue {Queue} has {Messages} message(s) waiting and no consumer for {For.TotalSeconds:0} s; start {Service} again";
}
