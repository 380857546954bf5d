using Gme.Contracts;
using Gme.Core.Ledger;

namespace Gme.Core.Runs;

/// <summary>Stage-complete messages rebuilt from ledger rows (for redelivery and crash recovery).</summary>
public static class LedgerMessages
{
    public static EmbeddingsCollected Collected(VectorFileEntity file) => new()
    {
        RunId = file.RunId,
        ShardId = file.ShardId,
        VectorFileId = file.Id,
        Path = file.Path,
        Sha256 = file.Sha256,
        Rows = file.Rows,
        ModelVersion = file.ModelId,
    };
}
