using System.Runtime.CompilerServices;
using System.Text;
using Gme.Core.Sources;

namespace Gme.Ingest.Sources;

/// <summary>
/// A CSV catalogue with a header row (RFC 4180, UTF-8 with or without BOM), streamed record by record.
/// A record that cannot be read is yielded as a parse-error row so the ingest stage records it and goes on.
/// </summary>
public sealed class CsvDatasetSource : IDatasetSource
{
    private readonly string _path;

    public CsvDatasetSource(string path)
    {
        _path = Path.GetFullPath(path);
    }

    public string Description => $"CSV file {_path}";

    public string? BaseDirectory => Path.GetDirectoryName(_path);

    public async IAsyncEnumerable<SourceRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var text = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true);
        var reader = new CsvRecordReader(text);

        var headerRecord = await reader.ReadAsync(cancellationToken);
        if (headerRecord is null)
        {
            yield break;
        }

        if (headerRecord.Unterminated || headerRecord.TooLong)
        {
            throw new InvalidDataException($"The header row of {_path} cannot be read (an unterminated quote or an over-long row).");
        }

        var header = SourceColumns.UniqueNames(headerRecord.Fields);
        long rowNumber = 0;
        while (await reader.ReadAsync(cancellationToken) is { } record)
        {
            rowNumber++;
            var error = record switch
            {
                { Unterminated: true } => $"unterminated quoted field starting on line {record.StartLine}",
                { TooLong: true } => $"row on line {record.StartLine} is longer than {CsvRecordReader.MaxRecordChars} characters",
                _ when record.Fields.Count != header.Count =>
                    $"row has {record.Fields.Count} fields, header has {header.Count} (line {record.StartLine})",
                _ => null,
            };

            if (error is not null)
            {
                yield return SourceColumns.ParseError(rowNumber, error);
                continue;
            }

            var fields = new Dictionary<string, string?>(header.Count, StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++)
            {
                fields[header[i]] = record.Fields[i];
            }

            yield return new SourceRow(rowNumber, fields);
        }
    }
}
