using System.Runtime.CompilerServices;
using Gme.Core.Sources;

namespace Gme.Sources.HuggingFace;

/// <summary>
/// A HuggingFace Hub dataset split: its Parquet files are listed, downloaded into the cache (resumably; a cached file
/// is reused, so a resumed run reads the same bytes) and streamed one row group at a time through
/// <see cref="ParquetDatasetSource"/>, which also drops list columns such as the H&amp;M export's
/// <c>dense_embedding</c>, <c>sparse_indices</c> and <c>sparse_values</c>. Row numbers run on across files.
/// </summary>
public sealed class HuggingFaceDatasetSource(HuggingFaceDatasetRef dataset, HuggingFaceHubClient hub) : IDatasetSource
{
    public string Description => $"HuggingFace dataset {dataset}";

    public string? BaseDirectory => null;

    public async IAsyncEnumerable<SourceRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var files = await hub.ListParquetFilesAsync(dataset, cancellationToken);
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"HuggingFace dataset {dataset}: the split has no Parquet files");
        }

        var directory = hub.CacheDirectory(dataset);
        long offset = 0;
        foreach (var (url, cacheName) in files)
        {
            var path = Path.Combine(directory, cacheName);
            await hub.DownloadAsync(url, path, dataset, cancellationToken);
            long last = 0;
            await foreach (var row in new ParquetDatasetSource(path).ReadRowsAsync(cancellationToken))
            {
                last = row.RowNumber;
                yield return row with { RowNumber = offset + row.RowNumber };
            }

            offset += last;
        }
    }
}
