using System.Text.Json;
using System.Text.Json.Serialization;
using Gme.Core.Storage;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>Reads and writes <c>collection.json</c>, and says how two specs differ.</summary>
internal static class CollectionSpecFile
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task<CollectionSpec?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return await JsonSerializer.DeserializeAsync<CollectionSpec>(stream, s_json, cancellationToken)
            ?? throw new InvalidDataException($"{path} is empty.");
    }

    public static Task WriteAsync(string path, CollectionSpec spec, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(spec, s_json), cancellationToken);

    /// <summary>
    /// Null when <paramref name="requested"/> has the same vectors (names, sizes, distances) as
    /// <paramref name="existing"/>, otherwise the first difference. Keyword indexes are not compared: every payload key
    /// can be filtered on here, so they change nothing.
    /// </summary>
    public static string? Difference(CollectionSpec existing, CollectionSpec requested)
    {
        foreach (var (name, wanted) in requested.Vectors)
        {
            if (!existing.Vectors.TryGetValue(name, out var has))
            {
                return $"vector '{name}' does not exist (it has {string.Join(", ", existing.Vectors.Keys.Select(k => $"'{k}'"))})";
            }

            if (has.Dimensions != wanted.Dimensions)
            {
                return $"vector '{name}' has {has.Dimensions} dimensions, requested {wanted.Dimensions}";
            }

            if (has.Distance != wanted.Distance)
            {
                return $"vector '{name}' uses {has.Distance} distance, requested {wanted.Distance}";
            }
        }

        var extra = existing.Vectors.Keys.FirstOrDefault(k => !requested.Vectors.ContainsKey(k));
        return extra is null ? null : $"it has vector '{extra}', which was not requested";
    }
}
