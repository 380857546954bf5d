namespace Gme.VectorStores.Embedded;

/// <summary>
/// Turns payloads into <see cref="CompactPayload"/>s that share their key lists and their short values: a
/// catalogue's colours, types, departments and sections repeat across thousands of products, and each decoded or
/// ingested payload otherwise brings its own copy of every one (about 2 KB a point of the 105k H&amp;M catalogue).
/// Long values (descriptions) are rarely equal and stay the payload's own. The pool only grows, up to a bound, so a
/// catalogue of unique short values costs at most that bound on top of the values themselves. Not thread-safe: the
/// point table uses it under the collection's write lock.
/// </summary>
internal sealed class PayloadPool(int maxPooledStrings = PayloadPool.MaxPooledStrings)
{
    /// <summary>Values up to this many characters are shared.</summary>
    public const int MaxPooledLength = 64;

    /// <summary>Distinct pooled strings at most; past it new values are kept as they come.</summary>
    public const int MaxPooledStrings = 1 << 20;

    /// <summary>Distinct key lists at most (a catalogue has one or a few); past it new ones are not shared.</summary>
    public const int MaxShapes = 1024;

    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PayloadShape> _shapes = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string?> Compact(IReadOnlyDictionary<string, string?> payload)
    {
        if (payload is CompactPayload)
        {
            return payload;
        }

        var keys = new string[payload.Count];
        var values = new string?[payload.Count];
        var i = 0;
        foreach (var (key, value) in payload)
        {
            keys[i] = Pooled(key);
            values[i] = value is { Length: <= MaxPooledLength } ? Pooled(value) : value;
            i++;
        }

        return new CompactPayload(Shape(keys), values);
    }

    private PayloadShape Shape(string[] keys)
    {
        var signature = string.Join('\0', keys);
        if (!_shapes.TryGetValue(signature, out var shape))
        {
            shape = new PayloadShape(keys);
            if (_shapes.Count < MaxShapes)
            {
                _shapes[signature] = shape;
            }
        }

        return shape;
    }

    private string Pooled(string value)
    {
        if (_strings.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        if (_strings.Count < maxPooledStrings)
        {
            _strings.Add(value);
        }

        return value;
    }
}
