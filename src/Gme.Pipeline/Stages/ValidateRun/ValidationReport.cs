namespace Gme.Pipeline.Stages;

/// <summary>What stage 8 checked and found; saved as JSON next to the run and printed by `gme validate`.</summary>
public sealed record ValidationReport
{
    public required Guid RunId { get; init; }
    public required string Collection { get; init; }
    public required string ModelId { get; init; }
    public required DateTime ValidatedAt { get; init; }
    public required bool Passed { get; init; }
    public required IReadOnlyList<string> Problems { get; init; }
    public required ValidationCounts Counts { get; init; }
    public required VectorQuality Vectors { get; init; }
    public required IReadOnlyList<SelfSearchResult> SelfSearch { get; init; }
    public required IReadOnlyList<TextQueryCheck> TextQueries { get; init; }

    /// <summary>The quality gate's verdict; <c>measured: false</c> when none is configured (validation alone decided).</summary>
    public Quality.QualityVerdict? QualityGate { get; init; }
}

/// <param name="RunProducts">Products the run's source holds (accepted rows).</param>
/// <param name="IndexedProducts">Products in the ledger whose vectors are in the store (every run).</param>
/// <param name="ParquetRows">Current vectors found in the Parquet files.</param>
/// <param name="StorePoints">Points in the collection.</param>
public sealed record ValidationCounts(
    int RunProducts, int RunIndexed, int RunFailed, int RejectedRows, int IndexedProducts, int ParquetRows, long StorePoints);

/// <param name="Checked">Vectors read back from Parquet and checked for size, NaN/Inf and zero norm.</param>
public sealed record VectorQuality(int Checked, int Bad, IReadOnlyList<string> Examples);

/// <param name="Top1">Products whose own vector found themselves first (exact-score ties that include them count).</param>
public sealed record SelfSearchResult(string Vector, int Sampled, int Top1, double Rate);

/// <param name="HitInTop5">Whether a product of the expected type is among the first five results.</param>
public sealed record TextQueryCheck(string Query, string ExpectedProductType, bool HitInTop5, string? TopProductId);
