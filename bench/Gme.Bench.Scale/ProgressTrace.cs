using System.Globalization;
using System.Text.RegularExpressions;

namespace Gme.Bench.Scale;

/// <summary>
/// The per-stage counts `gme run` prints while its output is redirected (one line per change, at most every 2 s):
/// for each stage, when its count first moved and when it last did, which gives its products/s over its own span
/// and how far the stages overlapped.
/// </summary>
internal sealed partial class ProgressTrace
{
    public static readonly string[] Stages = ["ingested", "images", "sharded", "embedded", "indexed"];

    private readonly Dictionary<string, (double First, double Last, int Count)> _stages = [];
    private readonly List<(double At, int Indexed)> _indexed = [];

    public double LastSeconds { get; private set; }

    public bool Observe(string line)
    {
        var m = ProgressLine().Match(line);
        if (!m.Success)
        {
            return false;
        }

        var at = double.Parse(m.Groups["at"].Value, CultureInfo.InvariantCulture);
        LastSeconds = at;
        _indexed.Add((at, int.Parse(m.Groups["indexed"].Value, CultureInfo.InvariantCulture)));
        foreach (var stage in Stages)
        {
            var count = int.Parse(m.Groups[stage].Value, CultureInfo.InvariantCulture);
            if (count == 0)
            {
                continue;
            }

            _stages[stage] = _stages.TryGetValue(stage, out var s)
                ? (s.First, s.Count == count ? s.Last : at, count)
                : (at, at, count);
        }

        return true;
    }

    /// <summary>Stage, products, first and last second its count moved (from the run's start).</summary>
    public IEnumerable<(string Stage, int Count, double First, double Last)> Spans() =>
        Stages.Where(_stages.ContainsKey).Select(s => (s, _stages[s].Count, _stages[s].First, _stages[s].Last));

    /// <summary>The second (from the run's start) at which at least <paramref name="products"/> were indexed, if they were.</summary>
    public double? IndexedBy(int products) => _indexed.FirstOrDefault(p => p.Indexed >= products) is { At: > 0 } hit ? hit.At : null;

    [GeneratedRegex(@"^\[\s*(?<at>[\d.]+)s\]\s+\S+\s+ingested (?<ingested>\d+)\+? \| images (?<images>\d+) .*\| sharded (?<sharded>\d+) \| embedded (?<embedded>\d+) \| indexed (?<indexed>\d+) \| failed \d+")]
    private static partial Regex ProgressLine();
}
