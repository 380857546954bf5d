using Gme.Core.Lexical;

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

    /// <summary>
    /// BM25 over the points' text fields (the lexical leg), best first: Σ over the query's terms of the term's IDF
    /// over the collection times the point's stored weight (<see cref="LexicalEncoder"/>). Points without a query
    /// term are not returned.
    /// </summary>
    Task<IReadOnlyList<ScoredPoint>> SearchLexicalAsync(
        string collection,
        SparseVector query,
        int limit,
        PayloadFilter? filter = null,
        CancellationToken cancellationToken = default);

    /// <summary>Dense legs and the lexical leg, each under <paramref name="filter"/>, fused by reciprocal rank (<see cref="RankFusion"/>).</summary>
    Task<IReadOnlyList<FusedPoint>> SearchHybridAsync(
        string collection,
        HybridQuery query,
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

    /// <summary>
    /// Points <paramref name="alias"/> at <paramref name="collection"/> in one atomic step, creating the alias or
    /// switching it. Every operation accepts an alias where it takes a collection name, so readers of the alias move
    /// from one version to the next (or back, for a rollback) without seeing a half-built collection.
    /// </summary>
    /// <exception cref="InvalidOperationException">The collection does not exist, or the alias names a collection.</exception>
    Task SetAliasAsync(string alias, string collection, CancellationToken cancellationToken = default);

    /// <summary>The collection <paramref name="alias"/> points at, or null when there is no such alias.</summary>
    Task<string?> GetAliasTargetAsync(string alias, CancellationToken cancellationToken = default);

    /// <summary>Removes a collection and its points (an old version, once no alias points at it); absent is not an error.</summary>
    Task DeleteCollectionAsync(string collection, CancellationToken cancellationToken = default);
}
