using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Vectors;
using Gme.VectorStores.Qdrant;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 6: makes sure the run's collection exists with the provider's named vectors and keyword indexes.
/// Idempotent; the upsert stage calls it too, so the order in which the two messages arrive does not matter.
/// </summary>
internal sealed class CollectionInitializer(
    IDbContextFactory<LedgerDbContext> dbFactory,
    IVectorStore store,
    IEmbeddingProvider provider,
    IOptions<IndexerOptions> options,
    TimeProvider clock,
    ILogger<CollectionInitializer> logger)
{
    public CollectionSpec SpecFor(string collection) => new(
        collection,
        provider.Spaces.ToDictionary(s => s.Name, s => new VectorSpec(s.Dimensions, s.Distance)),
        options.Value.KeywordIndexes);

    public async Task<string?> EnsureAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = dbFactory.CreateDbContext();
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        using var activity = IndexerDiagnostics.ActivitySource.StartActivity("init collection");
        activity?.SetTag(IndexerDiagnostics.Tags.Collection, run.Collection);
        await store.EnsureCollectionAsync(SpecFor(run.Collection), cancellationToken);
        if (run.CollectionReadyAt is null)
        {
            if (store is QdrantVectorStore qdrant)
            {
                // Bulk load: no HNSW building while points stream in; validation (stage 8) restores it.
                await qdrant.BeginBulkLoadAsync(run.Collection, cancellationToken);
            }

            run.CollectionReadyAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
            logger.CollectionReady(run.Collection);
        }

        return run.Collection;
    }
}
