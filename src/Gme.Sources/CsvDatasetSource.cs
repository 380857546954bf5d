using System.Runtime.CompilerServices;
using Gme.Core.Errors;
using Gme.Core.Sources;

namespace Gme.Sources;

/// <summary>
/// A comma-separated CSV catalogue with a header row (RFC 4180, strict UTF-8 with or without one BOM), streamed
/// record by record. A record that cannot be read (bad field count, unterminated quote, invalid UTF-8) is yielded
/// as a parse-error row so the ingest stage records it and goes on; a file that cannot be a catalogue at all (not
/// UTF-8, another delimiter, an unreadable header) throws <see cref="BadInputException"/>.
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

    public IAsyncEnumerable<SourceRow> ReadRowsAsync(CancellationToken cancellationToken = default) =>
        CatalogueErrors.ReadAsync(_path, "CSV", ReadCoreAsync, cancellationToken);

    private async IAsyncEnumerable<SourceRow> ReadCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var text = new Utf8TextReader(stream, _path);
        var reader = new CsvRecordReader(text);

        var headerRecord = await reader.ReadAsync(cancellationToken)
            ?? throw new BadInputException(_path, "holds no header row (only blank lines)");
        var header = CheckHeader(headerRecord);

        long rowNumber = 0;
        while (await reader.ReadAsync(cancellationToken) is { } record)
        {
            rowNumber++;
            var error = record switch
            {
                { InvalidByteOffset: { } offset } => $"invalid UTF-8 byte at offset {offset} (line {record.StartLine})",
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

    /// <summary>The header names, or <see cref="BadInputException"/> when the header shows the file cannot be read.</summary>
    private IReadOnlyList<string> CheckHeader(CsvRecord header)
    {
        if (header.InvalidByteOffset is { } offset)
        {
            throw new BadInputException(_path, "the header row holds an invalid UTF-8 byte; save the file as UTF-8", offset: offset);
        }

        if (header.Unterminated || header.TooLong)
        {
            throw new BadInputException(_path, header.TooLong
                ? $"the header row is longer than {CsvRecordReader.MaxRecordChars} characters"
                : "the header row has an unterminated quote");
        }

        if (header.Fields.Count == 1)
        {
            var only = header.Fields[0];
            var delimiter = only.Contains(';', StringComparison.Ordinal) ? "semicolon" : only.Contains('\t', StringComparison.Ordinal) ? "tab" : null;
            if (delimiter is not null)
            {
                throw new BadInputException(_path, $"the header is one column holding {delimiter}s: the file is {delimiter}-delimited; save it comma-delimited");
            }
        }

        return SourceColumns.UniqueNames(header.Fields);
    }
}
