using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// A stored point's payload as its values only, beside a key list shared by every point with the same keys
/// (<see cref="PayloadShape"/>). A catalogue's points all have the same dozen or two keys, so this holds one array
/// per point where a dictionary held a hash table, its entries and a copy of every key string (~0.6 KB a point).
/// Read-only, like the dictionaries it replaces; lookups scan the few keys, comparing references first.
/// </summary>
internal sealed class CompactPayload(PayloadShape shape, string?[] values) : IReadOnlyDictionary<string, string?>
{
    public int Count => shape.Keys.Length;

    public IEnumerable<string> Keys => shape.Keys;

    public IEnumerable<string?> Values => values;

    public string? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => shape.IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string? value)
    {
        var index = shape.IndexOf(key);
        value = index >= 0 ? values[index] : null;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator()
    {
        for (var i = 0; i < values.Length; i++)
        {
            yield return new KeyValuePair<string, string?>(shape.Keys[i], values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The keys of a <see cref="CompactPayload"/>, in order; shared by every payload with the same keys.</summary>
internal sealed class PayloadShape(string[] keys)
{
    public string[] Keys { get; } = keys;

    public int IndexOf(string key)
    {
        // Keys come from the pool, so a caller holding a pooled key matches by reference; others by value.
        for (var i = 0; i < Keys.Length; i++)
        {
            if (ReferenceEquals(Keys[i], key))
            {
                return i;
            }
        }

        for (var i = 0; i < Keys.Length; i++)
        {
            if (string.Equals(Keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
