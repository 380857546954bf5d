using System.Runtime.CompilerServices;
using Gme.Core.Errors;
using Gme.Core.Sources;
using Gme.Core.Storage;
using Parquet;
using Parquet.Schema;

namespace Gme.Sources;

/// <summary>
/// A Parquet catalogue read one row group at a time. Only flat primitive columns become fields: list, map and
/// struct columns (the HuggingFace H&amp;M export's precomputed embeddings) are skipped without being read.
/// </summary>
public sealed class ParquetDatasetSource : IDatasetSource
{
    private readonly string _path;

    public ParquetDatasetSource(string path)
    {
        _path = Path.GetFullPath(path);
    }

    public string Description => $"Parquet file {_path}";

    public string? BaseDirectory => Path.GetDirectoryName(_path);

    /// <summary>
    /// More rows than any catalogue this reads: a damaged footer can claim billions, and the row group's columns would
    /// be allocated for all of them before a single value is read.
    /// </summary>
    public const long MaxRowGroupRows = 10_000_000;

    public IAsyncEnumerable<SourceRow> ReadRowsAsync(CancellationToken cancellationToken = default) =>
        CatalogueErrors.ReadAsync(_path, "Parquet", ReadCoreAsync, cancellationToken);

    private async IAsyncEnumerable<SourceRow> ReadCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
        CatalogueFile.CheckParquetEnds(_path, stream);
        ParquetFooter.Check(_path, stream);
        await using var reader = await ParquetReader.CreateAsync(ParquetFooter.GuardEnd(stream), new ParquetOptions { TreatByteArrayAsString = true }, leaveStreamOpen: false, cancellationToken);

        var columns = reader.Schema.Fields
            .OfType<DataField>()
            .Where(f => !f.IsArray && f.MaxRepetitionLevel == 0 && ParquetColumnReader.Supports(f.ClrType))
            .ToList();

        long rowNumber = 0;
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            var rowGroup = reader.OpenRowGroupReader(group);
            if (rowGroup.RowCount is < 0 or > MaxRowGroupRows)
            {
                throw new BadInputException(_path, $"is a damaged Parquet file: row group {group} claims {rowGroup.RowCount} rows");
            }

            var rowCount = (int)rowGroup.RowCount;
            var values = new string?[columns.Count][];
            for (var c = 0; c < columns.Count; c++)
            {
                values[c] = await ParquetColumnReader.ReadAsStringsAsync(rowGroup, columns[c], rowCount, cancellationToken);
            }

            for (var r = 0; r < rowCount; r++)
            {
                if (FirstUndecodableText(columns, values, r) is { } column)
                {
                    yield return SourceColumns.ParseError(++rowNumber, $"column '{column}' is not valid UTF-8");
                    continue;
                }

                var fields = new Dictionary<string, string?>(columns.Count, StringComparer.Ordinal);
                for (var c = 0; c < columns.Count; c++)
                {
                    fields[columns[c].Name] = values[c][r];
                }

                yield return new SourceRow(++rowNumber, fields);
            }
        }
    }

    /// <summary>
    /// The first text column of row <paramref name="r"/> holding U+FFFD, or null. The Parquet library decodes text
    /// leniently and does not expose the raw bytes, so invalid UTF-8 shows only as the replacement character; a
    /// catalogue that stores U+FFFD on purpose has its row rejected too, which is the price of never indexing garbled
    /// ids, names or image paths (the CSV and JSONL readers are strict in the same way).
    /// </summary>
    private static string? FirstUndecodableText(List<DataField> columns, string?[][] values, int r)
    {
        for (var c = 0; c < columns.Count; c++)
        {
            if (IsText(columns[c]) && values[c][r] is { } value && value.Contains('\uFFFD', StringComparison.Ordinal))
            {
                return columns[c].Name;
            }
        }

        return null;
    }

    private static bool IsText(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);
}
