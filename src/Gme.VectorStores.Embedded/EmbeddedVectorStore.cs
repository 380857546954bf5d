using System.Collections.Concurrent;
using Gme.Core.Lexical;
using Gme.Core.Storage;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// The vector store that needs no server: one folder per collection under <see cref="DataPaths.Index"/> holding
/// <c>collection.json</c>, an append-only, checksummed, fsynced point log, and a <c>.lock</c> file taken by the one
/// process that writes. Points live in memory and are searched exactly. Other processes may open the same folder to
/// read; they see every upsert the writer has acknowledged. <c>aliases.json</c> maps aliases to collections (versions).
/// </summary>
public sealed class EmbeddedVectorStore(DataPaths paths, ILogger<EmbeddedVectorStore> logger, LexicalEncoder? encoder = null)
    : IVectorStore, IDisposable
{
    private readonly LexicalEncoder _encoder = encoder ?? LexicalEncoder.Default;
    private readonly ConcurrentDictionary<string, EmbeddedCollection> _collections = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _openGate = new(1, 1);
    private readonly AliasFile _aliases = new(Path.Combine(paths.Index, AliasFile.FileName));
    private bool _disposed;

    public async Task EnsureCollectionAsync(CollectionSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        CheckSpec(spec);
        await _openGate.WaitAsync(cancellationToken);
        try
        {
            if ((await _aliases.ReadAsync(cancellationToken)).ContainsKey(spec.Name))
            {
                throw new InvalidOperationException($"'{spec.Name}' is an alias; a collection cannot have the same name.");
            }

            if (await FindUnderGateAsync(spec.Name, cancellationToken) is { } existing)
            {
                if (CollectionSpecFile.Difference(existing.Spec, spec) is { } difference)
                {
                    throw new InvalidOperationException(
                        $"Vector collection '{spec.Name}' already exists with different vectors: {difference}.");
                }

                return;
            }

            var created = await EmbeddedCollection.CreateAsync(DirectoryOf(spec.Name), spec, logger, _encoder, cancellationToken);
            _collections[spec.Name] = created;
        }
        finally
        {
            _openGate.Release();
        }
    }

    public async Task<CollectionSpec?> GetCollectionAsync(string collection, CancellationToken cancellationToken = default) =>
        (await FindAsync(collection, cancellationToken))?.Spec;

    public async Task UpsertAsync(string collection, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken = default) =>
        await (await RequireAsync(collection, cancellationToken)).UpsertAsync(points, cancellationToken);

    public async Task<IReadOnlyList<ScoredPoint>> SearchAsync(
        string collection,
        string vectorName,
        ReadOnlyMemory<float> query,
        int limit,
        PayloadFilter? filter = null,
        CancellationToken cancellationToken = default) =>
        await (await RequireAsync(collection, cancellationToken)).SearchAsync(vectorName, query, limit, filter, cancellationToken);

    public async Task<IReadOnlyList<ScoredPoint>> SearchLexicalAsync(
        string collection,
        SparseVector query,
        int limit,
        PayloadFilter? filter = null,
        CancellationToken cancellationToken = default) =>
        await (await RequireAsync(collection, cancellationToken)).SearchLexicalAsync(query, limit, filter, cancellationToken);

    /// <summary>Each leg searched here, fused in process exactly as Qdrant fuses (<see cref="RankFusion"/>).</summary>
    public Task<IReadOnlyList<FusedPoint>> SearchHybridAsync(
        string collection,
        HybridQuery query,
        int limit,
        PayloadFilter? filter = null,
        CancellationToken cancellationToken = default) =>
        RankFusion.SearchAsync(this, collection, query, limit, filter, cancellationToken);

    public async Task<long> CountAsync(string collection, PayloadFilter? filter = null, CancellationToken cancellationToken = default) =>
        await (await RequireAsync(collection, cancellationToken)).CountAsync(filter, cancellationToken);

    public async Task<IReadOnlyList<VectorPoint>> RetrieveAsync(
        string collection,
        IReadOnlyList<Guid> ids,
        bool withVectors,
        CancellationToken cancellationToken = default) =>
        await (await RequireAsync(collection, cancellationToken)).RetrieveAsync(ids, withVectors, cancellationToken);

    public async Task DeleteAsync(string collection, IReadOnlyList<Guid> ids, CancellationToken cancellationToken = default) =>
        await (await RequireAsync(collection, cancellationToken)).DeleteAsync(ids, cancellationToken);

    public async Task SetAliasAsync(string alias, string collection, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckName(alias);
        CheckName(collection);
        await _openGate.WaitAsync(cancellationToken);
        try
        {
            await WriteAliasUnderGateAsync(alias, collection, replacingCollection: false, cancellationToken);
        }
        finally
        {
            _openGate.Release();
        }
    }

    /// <summary>
    /// Points <paramref name="alias"/> at the existing collection <paramref name="collection"/>; a collection named like
    /// the alias is refused unless the caller is replacing it (<see cref="ReplaceWithAliasAsync"/>).
    /// </summary>
    private async Task WriteAliasUnderGateAsync(string alias, string collection, bool replacingCollection, CancellationToken cancellationToken)
    {
        var aliases = await _aliases.ReadAsync(cancellationToken);
        if (aliases.ContainsKey(collection) || await FindUnderGateAsync(collection, cancellationToken) is null)
        {
            throw new InvalidOperationException($"Cannot point alias '{alias}' at '{collection}': no such collection in {paths.Index}.");
        }

        if (!replacingCollection && await FindUnderGateAsync(alias, cancellationToken) is not null)
        {
            throw new InvalidOperationException($"Cannot create alias '{alias}': a collection has that name.");
        }

        aliases[alias] = collection;
        await _aliases.WriteAsync(aliases, cancellationToken);
    }

    /// <summary>
    /// Turns collection <paramref name="alias"/> into an alias of <paramref name="collection"/> (a copy of it, made by
    /// the caller) without a moment in which the name resolves to nothing: the alias is written first, and every
    /// resolution reads aliases before folders, so readers move to the copy at once; the old folder is removed after.
    /// Index versions use it once per data dir built before versions (Qdrant has no such step: there the name is
    /// missing for the instant between the delete and the alias).
    /// </summary>
    public async Task ReplaceWithAliasAsync(string alias, string collection, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckName(alias);
        CheckName(collection);
        await _openGate.WaitAsync(cancellationToken);
        try
        {
            await WriteAliasUnderGateAsync(alias, collection, replacingCollection: true, cancellationToken);
            if (_collections.TryRemove(alias, out var loaded))
            {
                loaded.Dispose();
            }

            var directory = DirectoryOf(alias);
            if (Directory.Exists(directory))
            {
                using (WriterLock.Acquire(Path.Combine(directory, EmbeddedCollection.LockFileName), alias))
                {
                    File.Delete(Path.Combine(directory, EmbeddedCollection.SpecFileName));
                }

                Directory.Delete(directory, recursive: true);
            }
        }
        finally
        {
            _openGate.Release();
        }
    }

    public async Task<string?> GetAliasTargetAsync(string alias, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckName(alias);
        return (await _aliases.ReadAsync(cancellationToken)).GetValueOrDefault(alias);
    }

    public async Task DeleteCollectionAsync(string collection, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckName(collection);
        await _openGate.WaitAsync(cancellationToken);
        try
        {
            var aliases = await _aliases.ReadAsync(cancellationToken);
            if (aliases.ContainsKey(collection))
            {
                throw new InvalidOperationException($"'{collection}' is an alias, not a collection; delete collections by their own name.");
            }

            if (aliases.FirstOrDefault(a => a.Value == collection).Key is { } pointing)
            {
                throw new InvalidOperationException($"Vector collection '{collection}' is in use: alias '{pointing}' points at it. Switch the alias first.");
            }

            if (_collections.TryRemove(collection, out var loaded))
            {
                loaded.Dispose();
            }

            var directory = DirectoryOf(collection);
            if (!Directory.Exists(directory))
            {
                return;
            }

            // Under the writer lock, so no other process is appending; removing collection.json first makes the
            // collection cease to exist in one step, and a crash after it leaves only an ignorable folder.
            using (WriterLock.Acquire(Path.Combine(directory, EmbeddedCollection.LockFileName), collection))
            {
                File.Delete(Path.Combine(directory, EmbeddedCollection.SpecFileName));
            }

            Directory.Delete(directory, recursive: true);
        }
        finally
        {
            _openGate.Release();
        }
    }

    /// <summary>Rewrites a collection's log with only its live points (normally automatic once it is mostly dead).</summary>
    internal async Task CompactAsync(string collection, CancellationToken cancellationToken = default) =>
        await (await RequireAsync(collection, cancellationToken)).CompactAsync(cancellationToken);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var collection in _collections.Values)
        {
            collection.Dispose();
        }

        _collections.Clear();
        _openGate.Dispose();
    }

    private async Task<EmbeddedCollection> RequireAsync(string collection, CancellationToken cancellationToken) =>
        await FindAsync(collection, cancellationToken)
        ?? throw new InvalidOperationException(
            $"Vector collection '{collection}' does not exist in {paths.Index}; create it with EnsureCollectionAsync first.");

    private async Task<EmbeddedCollection?> FindAsync(string collection, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckName(collection);
        collection = (await _aliases.ReadAsync(cancellationToken)).GetValueOrDefault(collection, collection);
        if (_collections.TryGetValue(collection, out var loaded))
        {
            return loaded;
        }

        await _openGate.WaitAsync(cancellationToken);
        try
        {
            return await FindUnderGateAsync(collection, cancellationToken);
        }
        finally
        {
            _openGate.Release();
        }
    }

    /// <summary>The loaded collection, or the one on disk (perhaps created by another process since), or null.</summary>
    private async Task<EmbeddedCollection?> FindUnderGateAsync(string collection, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_collections.TryGetValue(collection, out var loaded))
        {
            return loaded;
        }

        var directory = DirectoryOf(collection);
        var spec = await CollectionSpecFile.ReadAsync(Path.Combine(directory, EmbeddedCollection.SpecFileName), cancellationToken);
        if (spec is null)
        {
            return null;
        }

        var opened = EmbeddedCollection.Open(directory, spec, logger, _encoder);
        _collections[collection] = opened;
        return opened;
    }

    private string DirectoryOf(string collection) => Path.Combine(paths.Index, collection);

    private static void CheckSpec(CollectionSpec spec)
    {
        CheckName(spec.Name);
        if (spec.Vectors is null || spec.Vectors.Count == 0)
        {
            throw new ArgumentException($"Collection '{spec.Name}' needs at least one named vector.", nameof(spec));
        }

        foreach (var (name, vector) in spec.Vectors)
        {
            if (string.IsNullOrWhiteSpace(name) || vector is null || vector.Dimensions <= 0 || !Enum.IsDefined(vector.Distance))
            {
                throw new ArgumentException($"Collection '{spec.Name}': vector '{name}' needs a name, a positive size and a distance.", nameof(spec));
            }
        }
    }

    // The name becomes a folder: letters, digits, '_' and '-' only, as GmeOptions.Collection allows.
    private static void CheckName(string collection)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        if (collection.Length > 64 || !collection.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException($"Collection name '{collection}' must be 1-64 letters, digits, '_' or '-'.", nameof(collection));
        }
    }
}
