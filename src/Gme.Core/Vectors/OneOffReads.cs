namespace Gme.Core.Vectors;

/// <summary>
/// Marks the vector reads of the current async flow as one-off (a validation sample, a quality gate, index training):
/// a store that keeps vectors in memory maps reads them without keeping them there. The embedded store's float rows
/// are memory-mapped, and on Linux with large page-cache folios each row a search reads maps up to a megabyte around
/// it; a service answering searches keeps those pages (that is what makes its searches fast), but a thousand
/// validation searches would map the whole vector file into the pipeline's resident set for nothing.
/// </summary>
public static class OneOffReads
{
    private static readonly AsyncLocal<bool> s_active = new();

    /// <summary>True inside a <see cref="Begin"/> scope of this async flow.</summary>
    public static bool Active => s_active.Value;

    /// <summary>Starts a scope; disposing it restores what was before.</summary>
    public static Scope Begin()
    {
        var previous = s_active.Value;
        s_active.Value = true;
        return new Scope(previous);
    }

    /// <summary>Restores the previous state when disposed.</summary>
    public readonly struct Scope(bool previous) : IDisposable
    {
        public void Dispose() => s_active.Value = previous;
    }
}
