using System.Collections.Concurrent;
using Gme.Core.Lexical;
using Gme.Core.Vectors;
using Gme.VectorStores.Embedded;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Qdrant.Client.Grpc;
using ScoredPoint = Gme.Core.Vectors.ScoredPoint;
using VectorDistance = Gme.Core.Vectors.Distance;

namespace Gme.VectorStores.Qdrant;

/// <summary>
/// <see cref="IVectorStore"/> on a Qdrant server over gRPC. Requests are built by <see cref="QdrantRequests"/>; this
/// class adds what needs the server: checking points against the collection before sending, batching upserts (4 in
/// flight, <c>wait=true</c>, retried on transient failures, which is safe because upsert by id is idempotent), and the
/// bulk-load switch that defers HNSW building until the load is done.
/// </summary>
public sealed class QdrantVectorStore(
    QdrantGrpcClient client,
    IOptions<QdrantOptions> options,
    TimeProvider time,
    ILogger<QdrantVectorStore> logger,
    LexicalEncoder? encoder = null) : IVectorStore
{
    private readonly LexicalEncoder _encoder = encoder ?? LexicalEncoder.Default;
    private readonly ConcurrentDictionary<string, bool> _lexical = new(StringComparer.Ordinal);

    private static readonly StatusCode[] s_transient =
        [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.ResourceExhausted, StatusCode.Aborted];

    // Specs rarely change and every upsert and search needs one; an alias switch in this process clears the cache.
    private readonly ConcurrentDictionary<string, CollectionSpec> _specs = new(StringComparer.Ordinal);

    private QdrantOptions Options => options.Value;

    public async Task EnsureCollectionAsync(CollectionSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (await GetCollectionAsync(spec.Name, cancellationToken) is { } existing)
        {
            if (CollectionSpecFile.Difference(existing, spec) is { } difference)
            {
                throw new InvalidOperationException($"Vector collection '{spec.Name}' already exists with different vectors: {difference}.");
            }

            return;
        }

        try
        {
            await client.Collections.CreateAsync(QdrantRequests.CreateCollection(spec, Options), deadline: Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            // Created concurrently by another worker: fine if it matches, which the next look checks.
            _specs.TryRemove(spec.Name, out _);
            await EnsureCollectionAsync(spec, cancellationToken);
            return;
        }

        foreach (var index in QdrantRequests.KeywordIndexes(spec))
        {
            await client.Points.CreateFieldIndexAsync(index, deadline: Deadline(), cancellationToken: cancellationToken);
        }

        logger.QdrantCollectionCreated(spec.Name, spec.Vectors.Count, spec.KeywordIndexes.Count);
    }

    public async Task<CollectionSpec?> GetCollectionAsync(string collection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        if (_specs.TryGetValue(collection, out var cached))
        {
            return cached;
        }

        var info = await InfoAsync(collection, cancellationToken);
        if (info is null)
        {
            return null;
        }

        var spec = QdrantResponses.Spec(collection, info);
        _specs[collection] = spec;
        _lexical[collection] = QdrantResponses.HasLexical(info);
        return spec;
    }

    public async Task UpsertAsync(string collection, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        var spec = await RequireAsync(collection, cancellationToken);

        // Checked (and cosine vectors normalised) before anything is sent, so a bad point fails the call whole.
        var prepared = points.Select(p =>
        {
            var record = VectorPreparation.Point(spec, p);
            return new VectorPoint(record.Id, record.Vectors, record.Payload);
        }).ToList();
        if (prepared.Count == 0)
        {
            return;
        }

        var batches = prepared.Chunk(Options.UpsertBatchSize).ToList();
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = Options.UpsertParallelism, CancellationToken = cancellationToken },
            async (batch, ct) => await UpsertBatchAsync(collection, batch, ct));
    }

    public async Task<IReadOnlyList<ScoredPoint>> SearchAsync(
        string collection,
        string vectorName,
        ReadOnlyMemory<float> query,
        int limit,
        PayloadFilter? filter = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var spec = await RequireAsync(collection, cancellationToken);
        var prepared = VectorPreparation.Query(spec, vectorName, query.Span);
        var request = QdrantRequests.Query(collection, vectorName, prepared, limit, filter, Options);
        var response = await client.Points.QueryAsync(request, deadline: Deadline(), cancellationToken: cancellationToken);
        var distance = spec.Vectors[vectorName].Distance;
        return response.Result.Select(p => QdrantResponses.Hit(p, distance)).ToList();
    }

    public async Task<IReadOnlyList<ScoredPoint>> SearchLexicalAsync(
        string collection,
        Gme.Core.Lexical.SparseVector query,
        int limit,
        PayloadFilter? filter = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        if (!await HasLexicalAsync(collection, cancellationToken))
        {
            throw new InvalidOperationException(
                $"Qdrant collection '{collection}' was created before lexical search and has no '{QdrantRequests.SparseVectorName}' vector; rebuild it to search by words.");
        }

        if (query.Count == 0)
        {
            return [];
        }

        var response = await client.Points.QueryAsync(
            QdrantRequests.Lexical(collection, query, limit, filter), deadline: Deadline(), cancellationToken: cancellationToken);
        return response.Result.Select(p => QdrantResponses.Hit(p, VectorDistance.Dot)).ToList();
    }

    /// <summary>
    /// One Query API request: dense and sparse prefetches fused by the server (RRF). Qdrant does not say which
    /// prefetch found a point, so the legs are reported as unknown. A collection without the sparse vector is
    /// searched by its dense legs alone.
    /// </summary>
    public async Task<IReadOnlyList<FusedPoint>> SearchHybridAsync(
        string collection,
        HybridQuery query,
        int limit,
        PayloadFilter? filter = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var spec = await RequireAsync(collection, cancellationToken);
        var dense = query.Dense.Select(d => (d.VectorName, VectorPreparation.Query(spec, d.VectorName, d.Vector).ToArray())).ToList();
        var lexical = await HasLexicalAsync(collection, cancellationToken) ? query.Lexical : Gme.Core.Lexical.SparseVector.Empty;
        var request = QdrantRequests.Hybrid(collection, dense, lexical, query.Candidates, limit, filter, Options, query.Fusion);
        var response = await client.Points.QueryAsync(request, deadline: Deadline(), cancellationToken: cancellationToken);
        return response.Result.Select(p => new FusedPoint(QdrantResponses.Hit(p, VectorDistance.Dot), RetrievalLegs.None)).ToList();
    }

    public async Task<long> CountAsync(string collection, PayloadFilter? filter = null, CancellationToken cancellationToken = default)
    {
        await RequireAsync(collection, cancellationToken);
        var response = await client.Points.CountAsync(QdrantRequests.Count(collection, filter), deadline: Deadline(), cancellationToken: cancellationToken);
        return checked((long)response.Result.Count);
    }

    public async Task<IReadOnlyList<VectorPoint>> RetrieveAsync(
        string collection,
        IReadOnlyList<Guid> ids,
        bool withVectors,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await RequireAsync(collection, cancellationToken);
        if (ids.Count == 0)
        {
            return [];
        }

        var response = await client.Points.GetAsync(QdrantRequests.Get(collection, ids, withVectors), deadline: Deadline(), cancellationToken: cancellationToken);
        return response.Result.Select(QdrantResponses.Point).ToList();
    }

    public async Task DeleteAsync(string collection, IReadOnlyList<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await RequireAsync(collection, cancellationToken);
        if (ids.Count > 0)
        {
            await client.Points.DeleteAsync(QdrantRequests.Delete(collection, ids), deadline: Deadline(), cancellationToken: cancellationToken);
        }
    }

    public async Task SetAliasAsync(string alias, string collection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(alias);
        ArgumentException.ThrowIfNullOrEmpty(collection);
        var aliases = await AliasesAsync(cancellationToken);
        if (aliases.ContainsKey(collection) || await InfoAsync(collection, cancellationToken) is null)
        {
            throw new InvalidOperationException($"Cannot point alias '{alias}' at '{collection}': no such collection.");
        }

        var exists = aliases.ContainsKey(alias);
        if (!exists && await InfoAsync(alias, cancellationToken) is not null)
        {
            throw new InvalidOperationException($"Cannot create alias '{alias}': a collection has that name.");
        }

        await client.Collections.UpdateAliasesAsync(QdrantRequests.SwitchAlias(alias, collection, exists), deadline: Deadline(), cancellationToken: cancellationToken);
        _specs.TryRemove(alias, out _);
        logger.QdrantAliasSwitched(alias, collection);
    }

    public async Task<string?> GetAliasTargetAsync(string alias, CancellationToken cancellationToken = default) =>
        (await AliasesAsync(cancellationToken)).GetValueOrDefault(alias);

    public async Task DeleteCollectionAsync(string collection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        var aliases = await AliasesAsync(cancellationToken);
        if (aliases.ContainsKey(collection))
        {
            throw new InvalidOperationException($"'{collection}' is an alias, not a collection; delete collections by their own name.");
        }

        if (aliases.FirstOrDefault(a => a.Value == collection).Key is { } pointing)
        {
            throw new InvalidOperationException($"Vector collection '{collection}' is in use: alias '{pointing}' points at it. Switch the alias first.");
        }

        await client.Collections.DeleteAsync(new DeleteCollection { CollectionName = collection }, deadline: Deadline(), cancellationToken: cancellationToken);
        _specs.TryRemove(collection, out _);
    }

    /// <summary>Stops HNSW building until <see cref="EndBulkLoadAsync"/>: points stream in without index rebuilds.</summary>
    public async Task BeginBulkLoadAsync(string collection, CancellationToken cancellationToken = default)
    {
        await client.Collections.UpdateAsync(QdrantRequests.DeferIndexing(collection), deadline: Deadline(), cancellationToken: cancellationToken);
        logger.QdrantIndexing(collection, "deferred for bulk load");
    }

    /// <summary>Restores indexing and waits until the collection is green (indexed), so validation measures the real index.</summary>
    public async Task EndBulkLoadAsync(string collection, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await client.Collections.UpdateAsync(QdrantRequests.RestoreIndexing(collection, Options), deadline: Deadline(), cancellationToken: cancellationToken);
        logger.QdrantIndexing(collection, "restored; waiting for green");
        await WaitUntilGreenAsync(collection, timeout, cancellationToken);
        logger.QdrantIndexing(collection, "done");
    }

    /// <summary>Polls the collection status until it is green; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilGreenAsync(string collection, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var start = time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var info = await InfoAsync(collection, cancellationToken)
                ?? throw new InvalidOperationException($"Vector collection '{collection}' does not exist.");
            if (info.Status == CollectionStatus.Green)
            {
                return;
            }

            if (info.Status == CollectionStatus.Red)
            {
                throw new InvalidOperationException($"Qdrant collection '{collection}' is red (optimisation failed): {info.OptimizerStatus?.Error}");
            }

            if (time.GetElapsedTime(start) > timeout)
            {
                throw new TimeoutException($"Qdrant collection '{collection}' was still {info.Status} after {timeout}.");
            }

            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private async Task UpsertBatchAsync(string collection, VectorPoint[] batch, CancellationToken cancellationToken)
    {
        var request = QdrantRequests.Upsert(collection, batch, _encoder);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.Points.UpsertAsync(request, deadline: Deadline(), cancellationToken: cancellationToken);
                return;
            }
            catch (RpcException ex) when (attempt < Options.UpsertAttempts && s_transient.Contains(ex.StatusCode) && !cancellationToken.IsCancellationRequested)
            {
                var delay = TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1));
                logger.QdrantUpsertRetry(batch.Length, collection, ex.StatusCode.ToString(), attempt, Options.UpsertAttempts, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    private async Task<bool> HasLexicalAsync(string collection, CancellationToken cancellationToken)
    {
        await RequireAsync(collection, cancellationToken);
        return _lexical.GetValueOrDefault(collection);
    }

    private async Task<CollectionSpec> RequireAsync(string collection, CancellationToken cancellationToken) =>
        await GetCollectionAsync(collection, cancellationToken)
        ?? throw new InvalidOperationException($"Vector collection '{collection}' does not exist in Qdrant; create it with EnsureCollectionAsync first.");

    private async Task<CollectionInfo?> InfoAsync(string collection, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.Collections.GetAsync(
                new GetCollectionInfoRequest { CollectionName = collection }, deadline: Deadline(), cancellationToken: cancellationToken);
            return response.Result;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<Dictionary<string, string>> AliasesAsync(CancellationToken cancellationToken)
    {
        var response = await client.Collections.ListAliasesAsync(new ListAliasesRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
        return response.Aliases.ToDictionary(a => a.AliasName, a => a.CollectionName, StringComparer.Ordinal);
    }

    private DateTime Deadline() => time.GetUtcNow().UtcDateTime.AddSeconds(Options.TimeoutSeconds);
}
