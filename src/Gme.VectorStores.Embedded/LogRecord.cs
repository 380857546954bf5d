using System.Collections.ObjectModel;

namespace Gme.VectorStores.Embedded;

/// <summary>One entry of the point log: an upsert carries the (cosine-normalised) vectors and the payload.</summary>
internal sealed record LogRecord(
    LogOperation Operation,
    Guid Id,
    IReadOnlyDictionary<string, float[]> Vectors,
    IReadOnlyDictionary<string, string?> Payload)
{
    public static LogRecord Delete(Guid id) =>
        new(LogOperation.Delete, id, ReadOnlyDictionary<string, float[]>.Empty, ReadOnlyDictionary<string, string?>.Empty);
}
