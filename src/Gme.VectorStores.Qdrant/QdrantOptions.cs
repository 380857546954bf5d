using System.ComponentModel.DataAnnotations;

namespace Gme.VectorStores.Qdrant;

/// <summary>
/// The Qdrant backend (section <c>Gme:Qdrant</c>), used when <c>Gme:Indexer:VectorStore</c> is <c>qdrant</c>. The
/// address comes from <see cref="Url"/> or, under Aspire, the <c>gme-vectors</c> connection string. An https URL
/// gives TLS.
/// </summary>
public sealed class QdrantOptions
{
    public const string SectionName = "Gme:Qdrant";

    /// <summary>gRPC endpoint, e.g. <c>http://127.0.0.1:6334</c> or <c>https://xyz.cloud.qdrant.io:6334</c>.</summary>
    public string? Url { get; set; }

    /// <summary>Sent as the <c>api-key</c> header; never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Points per upsert request (Qdrant's bulk-upload guidance: 64-256).</summary>
    [Range(64, 256)]
    public int UpsertBatchSize { get; set; } = 128;

    /// <summary>Upsert requests in flight at once.</summary>
    [Range(1, 16)]
    public int UpsertParallelism { get; set; } = 4;

    /// <summary>Attempts per upsert batch; upsert by id is idempotent, so a retry cannot duplicate points.</summary>
    [Range(1, 10)]
    public int UpsertAttempts { get; set; } = 5;

    [Range(4, 128)]
    public int HnswM { get; set; } = 16;

    [Range(4, 1024)]
    public int HnswEfConstruct { get; set; } = 128;

    /// <summary>Search-time HNSW beam; raised to the limit when the limit is larger.</summary>
    [Range(4, 4096)]
    public int HnswEf { get; set; } = 128;

    /// <summary>Candidates fetched by the binary-quantised index per result, then rescored with the full vectors.</summary>
    [Range(1.0, 16.0)]
    public double Oversampling { get; set; } = 3.0;

    /// <summary>indexing_threshold (KB) restored after a bulk load; Qdrant's default.</summary>
    [Range(1, 10_000_000)]
    public int IndexingThresholdKb { get; set; } = 10_000;

    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 60;
}
