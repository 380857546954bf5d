namespace Gme.Pipeline.Runs;

/// <summary>
/// When to re-announce a run's unfinished work: after <c>first</c> without progress, then after twice as long each
/// time nothing moved, up to <c>max</c>; any progress starts over. Pure, so the watchdog's timing is testable.
/// </summary>
internal sealed class ReannounceBackoff(TimeSpan first, TimeSpan max)
{
    private readonly Dictionary<Guid, Entry> _runs = [];

    /// <summary>
    /// Notes the run's progress <paramref name="counts"/> (any value with equality) at <paramref name="now"/>; true
    /// when its work should be re-announced now.
    /// </summary>
    public bool ShouldReannounce(Guid runId, object counts, DateTimeOffset now)
    {
        if (!_runs.TryGetValue(runId, out var entry) || !Equals(entry.Counts, counts))
        {
            _runs[runId] = new Entry(counts, now + first, first);
            return false;
        }

        if (now < entry.Due)
        {
            return false;
        }

        var next = TimeSpan.FromTicks(Math.Min(entry.Wait.Ticks * 2, max.Ticks));
        _runs[runId] = entry with { Due = now + next, Wait = next };
        return true;
    }

    /// <summary>Whether the run's progress needs reading now: a run not seen yet, or one whose wait is over.</summary>
    public bool IsDue(Guid runId, DateTimeOffset now) => !_runs.TryGetValue(runId, out var entry) || now >= entry.Due;

    /// <summary>Starts the run's waits over (it was stalled: its queues had no consumer, so nothing was lost).</summary>
    public void Forget(Guid runId) => _runs.Remove(runId);

    /// <summary>Drops the runs that are no longer active.</summary>
    public void Keep(IReadOnlyCollection<Guid> active)
    {
        foreach (var gone in _runs.Keys.Where(id => !active.Contains(id)).ToList())
        {
            _runs.Remove(gone);
        }
    }

    private sealed record Entry(object Counts, DateTimeOffset Due, TimeSpan Wait);
}
