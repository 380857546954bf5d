using System.ComponentModel.DataAnnotations;

namespace Gme.Pipeline;

/// <summary>Settings of stages 6-8 (section <c>Gme:Indexer</c>).</summary>
public sealed class IndexerOptions
{
    public const string SectionName = "Gme:Indexer";

    /// <summary><c>embedded</c> (in-process index under the data directory) or <c>qdrant</c>.</summary>
    [Required]
    public string VectorStore { get; set; } = "embedded";

    /// <summary>Points per upsert request.</summary>
    [Range(1, 4096)]
    public int UpsertBatchSize { get; set; } = 256;

    /// <summary>Payload keys that get a keyword index (and are offered as search filters).</summary>
    public string[] KeywordIndexes { get; set; } = ["product_type", "product_group", "colour", "department"];

    /// <summary>Products whose self-search is checked by validation.</summary>
    [Range(1, 100_000)]
    public int ValidationSample { get; set; } = 1000;

    /// <summary>Share of the sample whose own vector must come back first for validation to pass.</summary>
    [Range(0.0, 1.0)]
    public double MinSelfSearchTop1 { get; set; } = 0.99;
}
