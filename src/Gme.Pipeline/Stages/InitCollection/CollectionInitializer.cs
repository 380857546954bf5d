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
    Versions.IndexVersions versions,
    TimeProvider clock,
    ILogger<CollectionInitializer> logger)
{
    public CollectionSpec SpecFor(string collection) => new(
        collection,
        provider.Spaces.ToDictionary(s => s.Name, s => new VectorSpec(s.Dimensions, s.Distance)),
        options.Value.KeywordIndexes);

    /// <summary>Ensures the collection the run writes into and returns its name (a version's, when the run builds one).</summary>
    public async Task<string?> EnsureAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = dbFactory.CreateDbContext();
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        // A run that builds a new version writes into that version's own collection, beside the live one that searches
        // keep using; any other run writes through the collection's name (the live version).
        var target = await Versions.IndexVersions.TargetOfAsync(db, run, cancellationToken);
        using var activity = IndexerDiagnostics.ActivitySource.StartActivity("init collection");
        activity?.SetTag(IndexerDiagnostics.Tags.Collection, target);
        if (target != run.Collection && run.CollectionReadyAt is null)
        {
            await versions.MoveToVersionsAsync(run.Collection, cancellationToken);
        }

        await store.EnsureCollectionAsync(SpecFor(target), cancellationToken);
        if (run.CollectionReadyAt is null)
        {
            if (store is QdrantVectorStore qdrant)
            {
                // Bulk load: no HNSW building while points stream in; validation (stage 8) restores it.
                await qdrant.BeginBulkLoadAsync(target, cancellationToken);
            }

            run.CollectionReadyAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
            logger.CollectionReady(target);
        }

        return target;
    }
}
