namespace Gme.Cli.Output;

/// <summary>Remembers when each stage's count first and last moved, to report products per second per stage.</summary>
internal sealed class StageClock
{
    private readonly Dictionary<string, (TimeSpan First, TimeSpan Last, int Count)> _stages = [];

    public void Observe(string stage, int count, TimeSpan now)
    {
        if (!_stages.TryGetValue(stage, out var s))
        {
            _stages[stage] = (now, now, count);
            return;
        }

        if (count != s.Count)
        {
            _stages[stage] = (s.Count == 0 ? now : s.First, now, count);
        }
    }

    /// <summary>Stage name, products, seconds between the stage's first and last progress, and products per second.</summary>
    public IEnumerable<(string Stage, int Count, double Seconds, double PerSecond)> Rates(TimeSpan start) =>
        _stages.Select(kv =>
        {
            var seconds = Math.Max((kv.Value.Last - start).TotalSeconds, 0.001);
            return (kv.Key, kv.Value.Count, seconds, kv.Value.Count / seconds);
        });
}
