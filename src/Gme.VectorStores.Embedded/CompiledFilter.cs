using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// A <see cref="PayloadFilter"/> grouped once per search rather than once per point: same semantics (keys AND-ed,
/// values of one key OR-ed), without allocating in the scan loop.
/// </summary>
internal sealed class CompiledFilter
{
    private readonly (string Key, HashSet<string> Values)[] _conditions;

    private CompiledFilter((string Key, HashSet<string> Values)[] conditions)
    {
        _conditions = conditions;
    }

    public static CompiledFilter? From(PayloadFilter? filter) =>
        filter is null || filter.MustEqual.Count == 0
            ? null
            : new CompiledFilter(filter.MustEqual
                .GroupBy(c => c.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Select(c => c.Value).ToHashSet(StringComparer.Ordinal)))
                .ToArray());

    /// <summary>Each key with the values it accepts.</summary>
    public IReadOnlyList<(string Key, HashSet<string> Values)> Conditions => _conditions;

    public bool Matches(IReadOnlyDictionary<string, string?> payload)
    {
        foreach (var (key, values) in _conditions)
        {
            if (!payload.TryGetValue(key, out var value) || value is null || !values.Contains(value))
            {
                return false;
            }
        }

        return true;
    }
}
