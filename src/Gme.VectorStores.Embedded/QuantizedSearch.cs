namespace Gme.VectorStores.Embedded;

/// <summary>
/// When the embedded index answers from binary-quantised vectors (a Hamming scan over sign bits, then the best
/// candidates rescored with the full float vectors) instead of an exact float scan. Chosen over HNSW by measurement
/// (bench/Gme.Bench.Vectors): no build time, no second file to keep crash-safe (the bits are rebuilt from the log on
/// load), and filters apply during the scan exactly as in the exact search.
/// </summary>
internal sealed record QuantizedSearch
{
    public static readonly QuantizedSearch Default = new();

    /// <summary>Below this many points the exact scan is fast enough (and exact).</summary>
    public int MinimumPoints { get; init; } = 20_000;

    /// <summary>Hamming candidates per requested result that are rescored with floats.</summary>
    public int Oversampling { get; init; } = 40;

    /// <summary>Candidates rescored at least, however small the limit.</summary>
    public int MinimumCandidates { get; init; } = 400;

    /// <summary>Points per parallel scan partition; smaller scans stay on the calling thread.</summary>
    public int PartitionSize { get; init; } = 32_768;

    /// <summary>Off: always scan exactly (the benchmark's baseline).</summary>
    public bool Enabled { get; init; } = true;
}
