namespace Gme.Core.Vectors;

/// <summary>
/// Where vectors are searched: the embedded index or Qdrant. Upsert by id is idempotent, so any stage
/// may replay it. Implementations check vector sizes against the collection and refuse mismatches.
/// </summary>
public interface IVectorStore
{
    /// <summary>Creates the collection, or checks that an existing one has the same vectors.</summary>
    Task EnsureCollectionAsync(CollectionSpec spec, CancellationToken cancellationToken = default);

    /// <summary>The collection's definition, or null when it does not exist.</summary>
    Task<CollectionSpec?> GetCollectionAsync(string collection, CancellationToken cancellationToken = default);

    Task UpsertAsync(string collection, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken = default);

    /// <summary>Nearest neighbours of <paramref name="query"/> on one named vector, best first.</summary>
    Task<IReadOnlyList<ScoredPoint>> SearchAsync(
        string collection,
        string vectorName,
        ReadOnlyMemory<float> query,
        int limit,
        PayloadFilter? filter = null,
        CancellationToken cancellationToken = default);

    Task<long> CountAsync(string collection, PayloadFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>The points with these ids that exist, in no particular order.</summary>
    Task<IReadOnlyList<VectorPoint>> RetrieveAsync(
        string collection,
        IReadOnlyList<Guid> ids,
        bool withVectors,
        CancellationToken cancellationToken = default);

    Task DeleteAsync(string collection, IReadOnlyList<Guid> ids, CancellationToken cancellationToken = default);
}
