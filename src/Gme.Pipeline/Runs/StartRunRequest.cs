namespace Gme.Pipeline.Runs;

/// <summary>Body of <c>POST /runs</c>: either a generated sample of <see cref="SampleProducts"/> or a catalogue file.</summary>
public sealed record StartRunRequest
{
    /// <summary>Products in a generated sample catalogue (1 to 1,000,000); 0 when <see cref="Path"/> is given.</summary>
    public int SampleProducts { get; init; }

    /// <summary>A CSV, JSONL or Parquet catalogue readable by the Ingest service.</summary>
    public string? Path { get; init; }

    /// <summary>Stop after this many accepted rows; 0 means no limit.</summary>
    public int Limit { get; init; }

    /// <summary>The catalogue (collection) the run writes; null for the Ingest service's <c>Gme:Collection</c>.</summary>
    public string? Collection { get; init; }
}
