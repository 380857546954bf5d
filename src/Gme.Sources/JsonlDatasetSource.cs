using System.Runtime.CompilerServices;
using System.Text.Json;
using Gme.Core.Sources;

namespace Gme.Sources;

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

    /// <summary>A line longer than this is rejected without being kept: the CSV limit, for the same reasons.</summary>
    public const int MaxLineChars = CsvRecordReader.MaxRecordChars;

    public IAsyncEnumerable<SourceRow> ReadRowsAsync(CancellationToken cancellationToken = default) =>
        CatalogueErrors.ReadAsync(_path, "JSON Lines", ReadCoreAsync, cancellationToken);

    private async IAsyncEnumerable<SourceRow> ReadCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var reader = new Utf8TextReader(stream, _path);

        long lineNumber = 0;
        long rowNumber = 0;
        while (reader.ReadLine(MaxLineChars) is { } line)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lineNumber++;
            if (!line.TooLong && string.IsNullOrWhiteSpace(line.Text))
            {
                continue;
            }

            rowNumber++;
            yield return line switch
            {
                { InvalidByteOffset: { } offset } => SourceColumns.ParseError(rowNumber, $"invalid UTF-8 byte at offset {offset} (line {lineNumber})"),
                { TooLong: true } => SourceColumns.ParseError(rowNumber, $"line {lineNumber} is longer than {MaxLineChars} characters"),
                _ => ParseLine(line.Text, lineNumber, rowNumber),
            };
        }

        await Task.CompletedTask;
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
        catch (InvalidOperationException)
        {
            // GetString refuses an escaped lone surrogate ("\ud800"): text no encoding can hold.
            return SourceColumns.ParseError(rowNumber, $"line {lineNumber} holds an escaped lone surrogate (invalid text)");
        }
        catch (JsonException ex)
        {
            return SourceColumns.ParseError(rowNumber, $"line {lineNumber} is not valid JSON: {ex.Message}");
        }
    }
}
