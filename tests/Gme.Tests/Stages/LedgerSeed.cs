using Gme.Core.Ledger;

namespace Gme.Tests.Stages;

/// <summary>Ledger rows for stage tests.</summary>
internal static class LedgerSeed
{
    /// <summary>A run row as RunStarter creates it, optionally already in another saga state (a RunStatus name).</summary>
    public static RunEntity Run(Guid id, bool ingestDone = true, RunStatus status = RunStatus.Running) => new()
    {
        Id = id,
        SourceJson = "{}",
        SourceDescription = "test",
        Provider = "fake",
        ModelId = "fake/model@1",
        Collection = "products",
        CurrentState = status.ToString(),
        CreatedAt = DateTime.UtcNow,
        UpdatedAt = DateTime.UtcNow,
        IngestCompletedAt = ingestDone ? DateTime.UtcNow : null,
    };

    public static ProductEntity Product(string id, Guid runId, ProductStage stage, string? shardId = null, string? vectorFileId = null) => new()
    {
        Collection = "products",
        Id = id,
        LastRunId = runId,
        ContentHash = "h-" + id,
        PayloadJson = $$"""{"product_id":"{{id}}","name":"Item {{id}}"}""",
        Name = "Item " + id,
        Text = "Item " + id,
        ImageRef = "/img/" + id + ".jpg",
        ImageSha256 = new string('a', 64),
        Stage = stage,
        ShardId = shardId,
        VectorFileId = vectorFileId,
        UpdatedAt = DateTime.UtcNow,
    };
}
