namespace Gme.Pipeline.Stages;

/// <summary>
/// When to look at an unfinished job again: a quarter of its age, at least the poll interval and at most the maximum,
/// with up to 20% jitter so many shards submitted together do not poll in lock step. A job finishing in a minute is
/// seen quickly; one running for hours costs a few requests an hour instead of two a minute.
/// </summary>
internal static class PollBackoff
{
    public static TimeSpan Next(TimeSpan age, TimeSpan interval, TimeSpan max)
    {
        var wait = age / 4;
        wait = wait < interval ? interval : wait > max ? max : wait;
        return wait + (wait * 0.2 * Random.Shared.NextDouble());
    }
}
