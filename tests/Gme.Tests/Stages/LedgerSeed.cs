using Gme.Core.Ledger;

namespace Gme.Tests.Stages;

/// <summary>Ledger rows for stage tests.</summary>
internal static class LedgerSeed
{
    public static RunEntity Run(Guid id, bool ingestDone = true) => new()
    {
        Id = id,
        SourceJson = "{}",
        SourceDescription = "test",
        Provider = "fake",
        ModelId = "fake/model@1",
        Collection = "products",
        Status = RunStatus.Running,
        CreatedAt = DateTime.UtcNow,
        UpdatedAt = DateTime.UtcNow,
        IngestCompletedAt = ingestDone ? DateTime.UtcNow : null,
    };

    public static ProductEntity Product(string id, Guid runId, ProductStage stage, string? shardId = null) => new()
    {
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
        UpdatedAt = DateTime.UtcNow,
    };
}
