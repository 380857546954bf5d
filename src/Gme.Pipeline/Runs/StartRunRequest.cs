namespace Gme.Pipeline.Runs;

/// <summary>
/// JSON body of <c>POST /runs</c>: exactly one of a generated sample (<see cref="SampleProducts"/>), a catalogue by
/// <see cref="Url"/>, or a file on the Ingest service (<see cref="Path"/>). A catalogue can also be uploaded as
/// <c>multipart/form-data</c> (field <c>catalogue</c>, with an optional <c>limit</c> field).
/// </summary>
public sealed record StartRunRequest
{
    /// <summary>Products in a generated sample catalogue (1 to 1,000,000).</summary>
    public int SampleProducts { get; init; }

    /// <summary>A CSV, JSONL or Parquet catalogue readable by the Ingest service.</summary>
    public string? Path { get; init; }

    /// <summary>A HuggingFace dataset (<c>hf://owner/name[@revision][:split]</c>) or a catalogue file at an https URL.</summary>
    public string? Url { get; init; }

    /// <summary>Stop after this many accepted rows; 0 means no limit.</summary>
    public int Limit { get; init; }

    /// <summary>The catalogue (collection) the run writes; null for the Ingest service's <c>Gme:Collection</c>.</summary>
    public string? Collection { get; init; }
}
