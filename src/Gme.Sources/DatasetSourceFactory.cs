using Gme.Core.Errors;
using Gme.Core.Sources;
using Gme.Sources.HuggingFace;
using Gme.Sources.Sample;

namespace Gme.Sources;

/// <summary>
/// Opens the catalogue a run names. The row limit of pilot runs is applied by the ingest stage, which counts
/// accepted rows; a source always reads everything.
/// </summary>
public sealed class DatasetSourceFactory : IDatasetSourceFactory
{
    private readonly HuggingFaceHubClient? _hub;

    /// <summary>Local files and the sample only.</summary>
    public DatasetSourceFactory()
    {
    }

    /// <summary>Also HuggingFace Hub datasets (<c>hf</c>).</summary>
    public DatasetSourceFactory(HuggingFaceHubClient hub)
    {
        _hub = hub;
    }

    public IDatasetSource Open(SourceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind.ToLowerInvariant() switch
        {
            "sample" => new SampleDatasetSource(spec.SampleProducts > 0 ? spec.SampleProducts : SampleCatalogue.DefaultProductCount),
            "file" => OpenFile(spec.Location),
            "hf" => _hub is null
                ? throw new NotSupportedException("HuggingFace Hub sources need the Hub client (AddDatasetSources with a DataPaths registered)")
                : new HuggingFaceDatasetSource(HuggingFaceDatasetRef.Parse(spec.Location), _hub),
            _ => throw new ArgumentException($"unknown source kind '{spec.Kind}' (use sample, file or hf)", nameof(spec)),
        };
    }

    private static IDatasetSource OpenFile(string location)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            throw new BadInputException("--source", "a file source needs a path");
        }

        var path = Path.GetFullPath(location);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        IDatasetSource source = extension switch
        {
            ".csv" => new CsvDatasetSource(path),
            ".jsonl" or ".ndjson" or ".json" => new JsonlDatasetSource(path),
            ".parquet" => new ParquetDatasetSource(path),
            _ => throw new BadInputException(path, $"unsupported catalogue file type '{extension}' (use .csv, .jsonl or .parquet)"),
        };

        // Checked after the type so that a typo in the extension is reported as such, not as a missing file. The
        // rest (a directory, a FIFO, an empty file) is checked when the source is read, before it is opened.
        return File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null
            ? source
            : throw new BadInputException(path, "file not found");
    }
}
