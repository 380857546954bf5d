namespace Gme.VectorStores.Embedded;

/// <summary>
/// When and how the embedded index answers from binary-quantised vectors (Hamming distance over sign bits, then the
/// best candidates rescored with the full float vectors) instead of an exact float scan. Large tables read only the
/// nearest lists of an inverted file over the codes (<see cref="IvfIndex"/>); chosen over HNSW by measurement
/// (bench/Gme.Bench.Vectors): training takes about a second at 100k (USearch HNSW inserts ran at ~1,200/s on these
/// 2 cores), the only extra file is a centroid cache, and keyword filters are bitmaps tested during the probe.
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

    /// <summary>
    /// Candidates per requested result, at least, under a keyword filter (whose selectivity is known). 6 kept filtered
    /// recall@10 at 0.999 in bench/Gme.Bench.Vectors (10: 1.000, 4: 0.967) and rescores 40 % fewer rows, which are most
    /// of a filtered search's time.
    /// </summary>
    public int FilteredOversampling { get; init; } = 6;

    /// <summary>Points per parallel scan partition; smaller scans stay on the calling thread.</summary>
    public int PartitionSize { get; init; } = 32_768;

    /// <summary>Search large tables through an inverted file over the codes (<see cref="IvfIndex"/>) rather than scanning them all.</summary>
    public bool Inverted { get; init; } = true;

    /// <summary>Nearest lists the inverted search reads at least (of about √n).</summary>
    public int Probes { get; init; } = 8;

    /// <summary>A keyword filter matching at most this many points is answered by scoring each match exactly.</summary>
    public int ExactFilterMaximum { get; init; } = 2048;

    /// <summary>Off: always scan exactly (the benchmark's baseline).</summary>
    public bool Enabled { get; init; } = true;
}
