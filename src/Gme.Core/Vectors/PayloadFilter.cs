namespace Gme.Core.Vectors;

/// <summary>Keyword filter: every condition must hold (a key with several values matches any of them).</summary>
public sealed record PayloadFilter(IReadOnlyList<KeyValuePair<string, string>> MustEqual)
{
    public static PayloadFilter? From(IEnumerable<KeyValuePair<string, string>> conditions)
    {
        var list = conditions.ToList();
        return list.Count == 0 ? null : new PayloadFilter(list);
    }

    /// <summary>Whether a payload passes; conditions on the same key are OR-ed, different keys AND-ed.</summary>
    public bool Matches(IReadOnlyDictionary<string, string?> payload)
    {
        foreach (var group in MustEqual.GroupBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!payload.TryGetValue(group.Key, out var value) || value is null
                || !group.Any(c => string.Equals(c.Value, value, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }
}
