using System.Text.Json;
using Gme.Core.Storage;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// <c>aliases.json</c> beside the collection folders: alias → collection. Replaced atomically (temp + rename), so a
/// switch is one step that readers see whole. Read on every resolution rather than cached: it is a few hundred bytes,
/// and another process (the pipeline) may switch an alias while this one (the search service) keeps running.
/// </summary>
internal sealed class AliasFile(string path)
{
    public const string FileName = "aliases.json";

    public async Task<Dictionary<string, string>> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return await JsonSerializer.DeserializeAsync<Dictionary<string, string>>(stream, cancellationToken: cancellationToken)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (FileNotFoundException)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
        catch (DirectoryNotFoundException)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a JSON object of alias to collection names: {ex.Message}", ex);
        }
    }

    public Task WriteAsync(Dictionary<string, string> aliases, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllBytesAsync(
            path,
            JsonSerializer.SerializeToUtf8Bytes(new SortedDictionary<string, string>(aliases, StringComparer.Ordinal)),
            cancellationToken);
}
