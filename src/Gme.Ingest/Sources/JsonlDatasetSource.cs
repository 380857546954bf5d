using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Gme.Core.Sources;

namespace Gme.Ingest.Sources;

/// <summary>
/// A JSON Lines catalogue: one object per line, streamed. Strings are taken as they are; numbers and booleans as
/// their JSON text (so "0108775015" and 108775015 stay distinguishable); arrays and objects as raw JSON.
/// </summary>
public sealed class JsonlDatasetSource : IDatasetSource
{
    private readonly string _path;

    public JsonlDatasetSource(string path)
    {
        _path = Path.GetFullPath(path);
    }

    public string Description => $"JSON Lines file {_path}";

    public string? BaseDirectory => Path.GetDirectoryName(_path);

    public async IAsyncEnumerable<SourceRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true);

        long lineNumber = 0;
        long rowNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            rowNumber++;
            yield return ParseLine(line, lineNumber, rowNumber);
        }
    }

    internal static SourceRow ParseLine(string line, long lineNumber, long rowNumber)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return SourceColumns.ParseError(rowNumber, $"line {lineNumber} is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object");
            }

            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                fields[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    _ => property.Value.GetRawText(),
                };
            }

            return new SourceRow(rowNumber, fields);
        }
        catch (JsonException ex)
        {
            return SourceColumns.ParseError(rowNumber, $"line {lineNumber} is not valid JSON: {ex.Message}");
        }
    }
}
