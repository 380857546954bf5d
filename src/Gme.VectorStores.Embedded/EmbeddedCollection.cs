using Gme.Core.Lexical;
using Gme.Core.Storage;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// One collection of the embedded store: the in-memory <see cref="PointTable"/>, made durable by the point log.
/// <para>
/// Concurrency: <c>_gate</c> serialises everything that changes the table or the log (writes, catching up with
/// another process's writes, compaction), so log order and table order agree; <c>_rw</c> lets searches run alongside
/// a write's fsync and only excludes them while a change is applied to memory.
/// </para>
/// <para>
/// Processes: the first write takes the <c>.lock</c> file, after which this instance alone appends. Until then the
/// instance is a reader: before each read it picks up whatever a writer elsewhere has appended (or reloads a compacted
/// log), so it sees every upsert that writer acknowledged.
/// </para>
/// </summary>
internal sealed class EmbeddedCollection : IDisposable
{
    public const string SpecFileName = "collection.json";
    public const string LogFileName = "points.log";
    public const string LockFileName = ".lock";

    /// <summary>Compaction waits for at least this many records, so small collections are not rewritten constantly.</summary>
    internal const int CompactionMinimumRecords = 1024;

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly LexicalEncoder _encoder;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ReaderWriterLockSlim _rw = new(LockRecursionPolicy.NoRecursion);
    private PointTable _table;
    private LexicalIndex _lexical;
    private Guid _generation;
    private long _end;
    private int _logRecords;
    private WriterLock? _writerLock;
    private FileStream? _append;

    // The table's index version when centroids.ivf last matched it; the writer rewrites the file when they differ.
    private int _savedIndexVersion;

    private EmbeddedCollection(string directory, CollectionSpec spec, ILogger logger, LexicalEncoder encoder)
    {
        _directory = directory;
        _logger = logger;
        _encoder = encoder;
        Spec = spec;
        _table = NewTable();
        _lexical = new LexicalIndex(encoder);
    }

    public CollectionSpec Spec { get; }

    private string LogPath => Path.Combine(_directory, LogFileName);

    private string CentroidsPath => Path.Combine(_directory, IvfCentroidFile.FileName);

    /// <summary>Creates the collection on disk; the creator becomes its writer.</summary>
    public static async Task<EmbeddedCollection> CreateAsync(
        string directory, CollectionSpec spec, ILogger logger, LexicalEncoder encoder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var collection = new EmbeddedCollection(directory, spec, logger, encoder);
        try
        {
            collection._writerLock = WriterLock.Acquire(Path.Combine(directory, LockFileName), spec.Name);
            if (File.Exists(Path.Combine(directory, SpecFileName)))
            {
                // Another process created it between our look and our lock; never overwrite its log.
                throw new InvalidOperationException($"Vector collection '{spec.Name}' was just created by another process; retry.");
            }

            // The log first: collection.json is what makes the collection exist, so it must not appear without one.
            (collection._generation, collection._end) = await PointLog.WriteNewAsync(collection.LogPath, [], cancellationToken);
            collection._append = PointLog.OpenAppend(collection.LogPath, collection._end);
            await CollectionSpecFile.WriteAsync(Path.Combine(directory, SpecFileName), spec, cancellationToken);
        }
        catch
        {
            collection.Dispose();
            throw;
        }

        logger.CollectionCreated(spec.Name, directory);
        return collection;
    }

    /// <summary>Opens an existing collection as a reader, replaying its log.</summary>
    public static EmbeddedCollection Open(string directory, CollectionSpec spec, ILogger logger, LexicalEncoder encoder)
    {
        var collection = new EmbeddedCollection(directory, spec, logger, encoder);
        var tail = collection.CatchUp();
        if (tail > 0)
        {
            logger.TailIgnored(spec.Name, tail);
        }

        logger.CollectionLoaded(spec.Name, collection._table.Count, collection._logRecords);
        return collection;
    }

    public async Task UpsertAsync(IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        var records = points.Select(p => VectorPreparation.Point(Spec, p)).ToList();
        if (records.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await WriteAsync(records, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DeleteAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await BecomeWriterAsync(cancellationToken);

            // Under the gate the writer's table is current, so deleting absent ids can be skipped rather than logged.
            var records = ids.Distinct().Where(_table.Contains).Select(LogRecord.Delete).ToList();
            if (records.Count > 0)
            {
                await WriteAsync(records, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<ScoredPoint>> SearchAsync(
        string vectorName,
        ReadOnlyMemory<float> query,
        int limit,
        PayloadFilter? filter,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var prepared = VectorPreparation.Query(Spec, vectorName, query.Span);
        var compiled = CompiledFilter.From(filter);
        await RefreshAsync(cancellationToken);
        return Read(table => table.Search(vectorName, prepared, limit, compiled));
    }

    /// <summary>The lexical leg (BM25 over the payloads' text fields, see <see cref="LexicalIndex"/>).</summary>
    public async Task<IReadOnlyList<ScoredPoint>> SearchLexicalAsync(
        SparseVector query,
        int limit,
        PayloadFilter? filter,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var compiled = CompiledFilter.From(filter);
        await RefreshAsync(cancellationToken);
        return Read(_ => _lexical.Search(query, limit, compiled));
    }

    public async Task<long> CountAsync(PayloadFilter? filter, CancellationToken cancellationToken)
    {
        var compiled = CompiledFilter.From(filter);
        await RefreshAsync(cancellationToken);
        return Read(table => table.CountMatching(compiled));
    }

    public async Task<IReadOnlyList<VectorPoint>> RetrieveAsync(IReadOnlyList<Guid> ids, bool withVectors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await RefreshAsync(cancellationToken);
        return Read(table => ids.Distinct().Select(id => table.Get(id, withVectors)).OfType<VectorPoint>().ToList());
    }

    /// <summary>Rewrites the log with only the live points.</summary>
    internal async Task CompactAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await BecomeWriterAsync(cancellationToken);
            await CompactUnderGateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        StopWriting();
        _table.Dispose();
        _rw.Dispose();
        _gate.Dispose();
    }

    private T Read<T>(Func<PointTable, T> read)
    {
        _rw.EnterReadLock();
        try
        {
            return read(_table);
        }
        finally
        {
            _rw.ExitReadLock();
        }
    }

    private void Mutate(Action<PointTable> change)
    {
        _rw.EnterWriteLock();
        try
        {
            change(_table);
        }
        finally
        {
            _rw.ExitWriteLock();
        }
    }

    /// <summary>Appends, fsyncs, then applies to memory: an upsert is visible only once it would survive a crash.</summary>
    private async Task WriteAsync(List<LogRecord> records, CancellationToken cancellationToken)
    {
        await BecomeWriterAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        using var frames = new MemoryStream();
        foreach (var record in records)
        {
            LogRecordCodec.AppendFrame(frames, record);
        }

        try
        {
            await PointLog.AppendAsync(_append!, frames.GetBuffer().AsMemory(0, checked((int)frames.Length)));
        }
        catch
        {
            // If even undoing the append failed, the log may end in junk: the next write starts over as a new
            // writer, which re-reads the log and cuts the junk off.
            StopWriting();
            throw;
        }

        _end += frames.Length;
        _logRecords += records.Count;
        Mutate(table => records.ForEach(record => ApplyBoth(table, record)));
        await SaveCentroidsAsync();

        if (_logRecords >= CompactionMinimumRecords && _logRecords > 2L * _table.Count)
        {
            try
            {
                // Not cancellable: the write it follows has already succeeded and must not be reported as cancelled.
                await CompactUnderGateAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.CompactionFailed(Spec.Name, ex);
            }
        }
    }

    private async Task CompactUnderGateAsync(CancellationToken cancellationToken)
    {
        // Safe without _rw: only the writer changes the table, and it is waiting here under the gate.
        var before = _logRecords;
        var live = _table.Count;
        _append!.Dispose();
        _append = null;
        try
        {
            // Compaction reads every row once (OneOffReads: copied, not mapped into the resident set).
            using var oneOff = OneOffReads.Begin();
            (_generation, _end) = await PointLog.WriteNewAsync(LogPath, _table.Snapshot(), cancellationToken);
            _logRecords = live;
            _append = PointLog.OpenAppend(LogPath, _end);
        }
        catch
        {
            // Whichever log is now in place (the old one, or the new one if only reopening failed) is complete; the
            // next write becomes the writer again and catches up with it.
            StopWriting();
            throw;
        }

        _logger.Compacted(Spec.Name, before, live);
    }

    /// <summary>Every change reaches the points and the lexical index together, under the write lock.</summary>
    private void ApplyBoth(PointTable table, LogRecord record)
    {
        // The lexical index keeps the payload the table stored, so the two share one (compact) copy.
        _lexical.Apply(table.Apply(record));
    }

    private void StopWriting()
    {
        _append?.Dispose();
        _append = null;
        _writerLock?.Dispose();
        _writerLock = null;
    }

    /// <summary>Takes the writer lock on first write, then catches up and cuts off any torn tail before appending.</summary>
    private async Task BecomeWriterAsync(CancellationToken cancellationToken)
    {
        if (_writerLock is not null)
        {
            return;
        }

        var writerLock = WriterLock.Acquire(Path.Combine(_directory, LockFileName), Spec.Name);
        try
        {
            // Only the lock holder writes temporary files here, so any that exist were left by a crashed writer.
            AtomicFile.CleanTemporaryFiles(_directory);
            if (!File.Exists(LogPath))
            {
                // collection.json without a log: the log was removed; start an empty one rather than fail forever.
                await PointLog.WriteNewAsync(LogPath, [], cancellationToken);
            }

            var tail = CatchUp();
            _append = PointLog.OpenAppend(LogPath, _end);
            if (tail > 0)
            {
                _logger.TailTruncated(Spec.Name, tail);
            }

            _writerLock = writerLock;
            await SaveCentroidsAsync();
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>An empty table whose indexes start from the saved centroids when there are any.</summary>
    private PointTable NewTable()
    {
        var table = new PointTable(Spec, scratchDirectory: _directory);
        _savedIndexVersion = IvfCentroidFile.TryApply(CentroidsPath, table) ? table.IndexVersion : -1;
        return table;
    }

    /// <summary>
    /// Writer only: keeps centroids.ivf in step with the trained centroids. Not cancellable and never fatal: it follows
    /// a write that has succeeded, and the file is only a cache (a reload without it trains again).
    /// </summary>
    private async Task SaveCentroidsAsync()
    {
        var version = _table.IndexVersion;
        if (_writerLock is null || version == _savedIndexVersion || _table.Indexes.All(i => i.Value.Lists == 0))
        {
            return;
        }

        try
        {
            await IvfCentroidFile.WriteAsync(CentroidsPath, _table, CancellationToken.None);
            _savedIndexVersion = version;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.CentroidsNotSaved(Spec.Name, ex);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (_writerLock is not null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_writerLock is null)
            {
                CatchUp();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Brings memory up to date with the log: the new tail when the file was appended to, everything when it was
    /// replaced by compaction. Returns the bytes of incomplete tail left unread.
    /// </summary>
    private long CatchUp()
    {
        using var file = PointLog.OpenRead(LogPath);
        if (file is null)
        {
            return 0;
        }

        var generation = PointLog.ReadGeneration(file);
        // A shorter file than we have read means it was cut back (a failed append undone): reload it all.
        if (generation != _generation || file.Length < _end)
        {
            // Built aside and swapped in, so searches keep using the old table meanwhile.
            var table = NewTable();
            var lexical = new LexicalIndex(_encoder);
            var scan = PointLog.ReadRecords(file, PointLog.HeaderSize, record =>
            {
                lexical.Apply(table.Apply(record));
            });
            var old = _table;
            Mutate(_ => (_table, _lexical) = (table, lexical));
            old.Dispose(); // no search holds it any more: they read under the lock the swap took
            (_generation, _end, _logRecords) = (generation, scan.End, scan.Records);
            return scan.TailBytes;
        }

        if (file.Length == _end)
        {
            return 0;
        }

        var records = new List<LogRecord>();
        var tail = PointLog.ReadRecords(file, _end, records.Add);
        if (records.Count > 0)
        {
            Mutate(table => records.ForEach(record => ApplyBoth(table, record)));
            (_end, _logRecords) = (tail.End, _logRecords + tail.Records);
        }

        return tail.TailBytes;
    }
}
