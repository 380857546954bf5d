using System.Text.Json.Serialization;

namespace Gme.Core.Sources;

/// <summary>What a run reads, stored with the run so that a resumed run reads the same thing.</summary>
public sealed record SourceSpec
{
    /// <summary><c>sample</c>, <c>file</c> (CSV, JSONL or Parquet) or <c>hf</c> (a HuggingFace dataset).</summary>
    public required string Kind { get; init; }

    /// <summary>File path, dataset id, or empty for the sample.</summary>
    public string Location { get; init; } = "";

    /// <summary>Number of products the sample generates.</summary>
    public int SampleProducts { get; init; }

    /// <summary>Stop after this many accepted rows (pilot runs); 0 means no limit.</summary>
    public int Limit { get; init; }

    /// <summary>Extra column mapping, target field name to source column name.</summary>
    public IReadOnlyDictionary<string, string> ColumnMap { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The folder local image paths must lie in; null means the catalogue file's folder. Stored with the run so that a
    /// resume confines images to the same folder. Left out of the JSON when null, so runs stored before it existed
    /// still match on resume.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ImagesRoot { get; init; }

    /// <summary>
    /// `gme run --allow-removals`: the snapshot may remove more of the catalogue than Gme:Ingest:MaxRemovedPercent
    /// allows. Left out of the JSON when false, so runs stored before it existed still match on resume.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AllowRemovals { get; init; }

    /// <summary>The folder local images of this run must lie in, or null when there is none (only URLs are accepted).</summary>
    public string? LocalImageRoot() =>
        ImagesRoot is not null ? Path.GetFullPath(ImagesRoot)
        : Kind.Equals("file", StringComparison.OrdinalIgnoreCase) && Location.Length > 0 ? Path.GetDirectoryName(Path.GetFullPath(Location))
        : null;
}
