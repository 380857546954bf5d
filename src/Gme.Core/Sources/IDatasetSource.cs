namespace Gme.Core.Sources;

/// <summary>
/// A catalogue to ingest, read as a stream of rows so that a 100k-row file is never held in memory.
/// Rows that cannot be parsed at all are yielded with <see cref="SourceRow.Fields"/> holding a
/// <see cref="ProductMapper.ParseErrorField"/> entry, so the ingest stage records them instead of stopping.
/// </summary>
public interface IDatasetSource
{
    /// <summary>A short description for logs and the ledger, never holding secrets.</summary>
    string Description { get; }

    /// <summary>The folder that relative image paths are resolved against, when the source is a local file.</summary>
    string? BaseDirectory { get; }

    IAsyncEnumerable<SourceRow> ReadRowsAsync(CancellationToken cancellationToken = default);
}
