using System.Collections.ObjectModel;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// The in-memory points of one collection: a slot per point, the vectors in one <see cref="VectorColumn"/> per named
/// vector, an id→slot map and the payloads. Freed slots are reused. Not thread-safe: the collection locks around it.
/// Small tables are scanned exactly; large ones are searched through an <see cref="IvfIndex"/> per cosine/dot vector
/// (binary codes, nearest lists only, float rescoring), with keyword filters resolved by a <see cref="KeywordIndex"/>.
/// Given a folder, the float rows live in memory-mapped scratch files there (<see cref="MappedFloatRows"/>), so only
/// the codes, ids and payloads are resident.
/// </summary>
internal sealed class PointTable : IDisposable
{
    private const int InitialCapacity = 64;

    // The query's nearest lists holding under a quarter of the expected share of matches mark a filter that excludes
    // its neighbourhood (see SearchInverted).
    private const int NeighbourhoodLists = 2;
    private const double DepletedFactor = 4;

    // Then far matches decide the answer, which sign bits rank poorly (their angles all look alike), so up to this
    // many times ExactFilterMaximum matches are scored exactly instead.
    private const int DepletedExactFactor = 8;
    private const int SelectivitySample = 1024;

    private readonly Dictionary<string, VectorColumn> _columns;
    private readonly Dictionary<Guid, int> _slots = [];
    private readonly Stack<int> _free = new();
    private Guid[] _ids = new Guid[InitialCapacity];

    // Null marks a free slot.
    private IReadOnlyDictionary<string, string?>?[] _payloads = new IReadOnlyDictionary<string, string?>?[InitialCapacity];
    private int _used;

    private readonly PayloadPool _payloadPool = new();
    private readonly QuantizedSearch _quantized;
    private readonly KeywordIndex _keywords;
    private readonly Dictionary<string, IvfIndex> _indexes;

    /// <param name="spec">The collection's vectors and keyword indexes.</param>
    /// <param name="quantized">How large tables are searched.</param>
    /// <param name="scratchDirectory">Where the float rows are mapped from; null keeps them in managed memory.</param>
    public PointTable(CollectionSpec spec, QuantizedSearch? quantized = null, string? scratchDirectory = null)
    {
        _quantized = quantized ?? QuantizedSearch.Default;
        _keywords = new KeywordIndex(spec.KeywordIndexes);
        _columns = spec.Vectors.ToDictionary(
            v => v.Key,
            v => new VectorColumn(v.Value.Dimensions, v.Value.Distance,
                scratchDirectory is null ? null : new MappedFloatRows(scratchDirectory, v.Value.Dimensions)),
            StringComparer.Ordinal);
        _indexes = _quantized is { Enabled: true, Inverted: true }
            ? _columns.Where(c => c.Value.Quantizable).ToDictionary(c => c.Key, c => new IvfIndex(c.Value), StringComparer.Ordinal)
            : [];
        foreach (var column in _columns.Values)
        {
            column.EnsureCapacity(InitialCapacity);
        }

        foreach (var index in _indexes.Values)
        {
            index.EnsureCapacity(InitialCapacity);
        }
    }

    /// <summary>The inverted index of each vector that has one (cosine and dot vectors, when enabled).</summary>
    public IReadOnlyDictionary<string, IvfIndex> Indexes => _indexes;

    public int Count => _slots.Count;

    /// <summary>Applies the change; returns the record as stored (an upsert's payload in its compact, pooled form).</summary>
    public LogRecord Apply(LogRecord record)
    {
        if (record.Operation == LogOperation.Delete)
        {
            Delete(record.Id);
            return record;
        }

        var payload = _payloadPool.Compact(record.Payload);
        if (!_slots.TryGetValue(record.Id, out var slot))
        {
            slot = _free.Count > 0 ? _free.Pop() : NextSlot();
            _slots[record.Id] = slot;
            _ids[slot] = record.Id;
        }
        else
        {
            _keywords.Remove(slot, _payloads[slot]!);
        }

        foreach (var (name, column) in _columns)
        {
            if (!record.Vectors.TryGetValue(name, out var vector))
            {
                throw new InvalidDataException($"Stored point {record.Id} has no vector '{name}'.");
            }

            column.Set(slot, vector);
        }

        _payloads[slot] = payload;
        _keywords.Add(slot, payload);
        foreach (var index in _indexes.Values)
        {
            if (index.NeedsTraining(_slots.Count, _quantized.MinimumPoints))
            {
                // Training reads a sample of rows from all over the column once.
                using var oneOff = OneOffReads.Begin();
                index.Train(LiveSlots());
            }
            else
            {
                index.Set(slot);
            }
        }

        return ReferenceEquals(payload, record.Payload) ? record : record with { Payload = payload };
    }

    public bool Contains(Guid id) => _slots.ContainsKey(id);

    public void Dispose()
    {
        foreach (var column in _columns.Values)
        {
            column.Dispose();
        }
    }

    public bool Delete(Guid id)
    {
        if (!_slots.Remove(id, out var slot))
        {
            return false;
        }

        _keywords.Remove(slot, _payloads[slot]!);
        foreach (var index in _indexes.Values)
        {
            index.Remove(slot);
        }

        _ids[slot] = Guid.Empty;
        _payloads[slot] = null;
        _free.Push(slot);
        return true;
    }

    /// <summary>
    /// The <paramref name="limit"/> best points that pass <paramref name="filter"/>. The filter is applied during the
    /// scan, before ranking, so a selective filter still returns up to <paramref name="limit"/> points.
    /// </summary>
    public List<ScoredPoint> Search(string vectorName, ReadOnlySpan<float> query, int limit, CompiledFilter? filter)
    {
        var column = _columns[vectorName];
        if (!_quantized.Enabled)
        {
            return Results(ExactScan(column, query, limit, null, filter));
        }

        // Conditions on keyword-indexed keys become a bitmap; only the others are checked against payloads.
        var (matches, complete) = filter is null ? (null, true) : _keywords.Resolve(filter);
        var residual = complete ? null : filter;
        if (matches is not null && matches.Count <= Math.Max(_quantized.ExactFilterMaximum, limit))
        {
            // So selective that scoring every match exactly is cheaper than any index, and exact.
            return Results(ExactOver(column, query, limit, matches, residual));
        }

        var candidates = (int)Math.Min(Math.Max((long)limit * _quantized.Oversampling, _quantized.MinimumCandidates), int.MaxValue);
        if (column.Quantizable && _slots.Count >= _quantized.MinimumPoints && candidates < _slots.Count)
        {
            return Results(_indexes.TryGetValue(vectorName, out var index) && index.Lists > 0
                ? SearchInverted(column, index, query, limit, candidates, Selectivity(matches, residual), matches, residual)
                : SearchQuantized(column, query, limit, candidates, matches, residual));
        }

        return Results(ExactScan(column, query, limit, matches, residual));
    }

    public long CountMatching(CompiledFilter? filter)
    {
        if (filter is null)
        {
            return _slots.Count;
        }

        var (matches, complete) = _keywords.Resolve(filter);
        if (matches is not null && complete)
        {
            return matches.Count;
        }

        long count = 0;
        for (var slot = 0; slot < _used; slot++)
        {
            if (_payloads[slot] is { } payload && filter.Matches(payload))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The point, with copies of its vectors when asked, or null when absent.</summary>
    public VectorPoint? Get(Guid id, bool withVectors)
    {
        if (!_slots.TryGetValue(id, out var slot))
        {
            return null;
        }

        var vectors = withVectors
            ? _columns.ToDictionary(c => c.Key, c => c.Value.Row(slot).ToArray(), StringComparer.Ordinal).AsReadOnly()
            : ReadOnlyDictionary<string, float[]>.Empty;
        return new VectorPoint(id, vectors, _payloads[slot]!);
    }

    /// <summary>Every live point as an upsert record, lazily; the table must not change while this is enumerated.</summary>
    public IEnumerable<LogRecord> Snapshot()
    {
        for (var slot = 0; slot < _used; slot++)
        {
            if (_payloads[slot] is { } payload)
            {
                var vectors = _columns.ToDictionary(c => c.Key, c => c.Value.Row(slot).ToArray(), StringComparer.Ordinal);
                yield return new LogRecord(LogOperation.Upsert, _ids[slot], vectors, payload);
            }
        }
    }

    private List<ScoredPoint> Results(List<(int Slot, float Score)> hits)
    {
        var result = new List<ScoredPoint>(hits.Count);
        foreach (var (slot, score) in hits)
        {
            result.Add(new ScoredPoint(_ids[slot], score, _payloads[slot]!));
        }

        return result;
    }

    /// <summary>Adopts saved centroids for one vector's index; only on an empty table, before the log is replayed.</summary>
    public void UseCentroids(string vectorName, ulong[] centroids, int words, int trainedOn)
    {
        if (_slots.Count > 0)
        {
            throw new InvalidOperationException("Centroids are adopted before any point is loaded.");
        }

        if (_indexes.TryGetValue(vectorName, out var index))
        {
            index.UseCentroids(centroids, words, trainedOn);
        }
    }

    /// <summary>Sum of the indexes' versions: changes whenever any centroids do.</summary>
    public int IndexVersion => _indexes.Values.Sum(i => i.Version);

    private bool Passes(int slot, SlotSet? matches, CompiledFilter? residual) =>
        _payloads[slot] is { } payload
        && (matches is null || matches.Contains(slot))
        && (residual is null || residual.Matches(payload));

    private List<(int Slot, float Score)> ExactScan(VectorColumn column, ReadOnlySpan<float> query, int limit, SlotSet? matches, CompiledFilter? residual)
    {
        var top = new TopK(Math.Min(limit, _slots.Count));
        for (var slot = 0; slot < _used; slot++)
        {
            if (Passes(slot, matches, residual))
            {
                top.Offer(slot, column.Score(slot, query), _ids[slot]);
            }
        }

        return top.Drain();
    }

    private List<(int Slot, float Score)> ExactOver(VectorColumn column, ReadOnlySpan<float> query, int limit, SlotSet matches, CompiledFilter? residual)
    {
        var top = new TopK(Math.Min(limit, matches.Count));
        foreach (var slot in matches.Slots())
        {
            if (Passes(slot, null, residual))
            {
                top.Offer(slot, column.Score(slot, query), _ids[slot]);
            }
        }

        return top.Drain();
    }

    /// <summary>
    /// Reads the lists nearest the query, at least <see cref="QuantizedSearch.Probes"/> of them and more until enough
    /// points passing the filter have been seen, keeps the nearest codes and rescores them with the floats.
    /// <para>
    /// A filter widens the search instead of thinning the results. When the lists read hold far fewer matches than
    /// the filter's overall <paramref name="selectivity"/> (the filter excludes the query's neighbourhood, say
    /// "trousers" for a dress photo), the best matches are scattered and only weakly ranked by their codes, so a
    /// keyword filter's matches are scored exactly (up to a bound), or else every list is read and the full pool
    /// rescored: the quantised scan, at its recall. Otherwise the pool
    /// shrinks with the selectivity: among a tenth of the points the best rank about ten times higher in Hamming order.
    /// </para>
    /// </summary>
    private List<(int Slot, float Score)> SearchInverted(
        VectorColumn column,
        IvfIndex index,
        ReadOnlySpan<float> query,
        int limit,
        int candidates,
        double selectivity,
        SlotSet? matches,
        CompiledFilter? residual)
    {
        var words = column.Words;
        var bits = new ulong[words];
        VectorColumn.Quantize(query, bits);
        var pool = (int)Math.Min(candidates, Math.Max(Math.Ceiling(candidates * selectivity), (long)limit * _quantized.FilteredOversampling));
        var top = new HammingTop(candidates);
        var threshold = int.MaxValue;
        long seen = 0;
        long scanned = 0;
        var probed = 0;
        var everyList = false;
        var order = index.ProbeOrder(bits);
        while (order.TryDequeue(out var list, out _))
        {
            if (probed == NeighbourhoodLists && selectivity < 1 && seen < scanned * selectivity / DepletedFactor)
            {
                // The query's neighbourhood (its nearest lists) is nearly empty of matches.
                if (matches is not null && matches.Count <= DepletedExactFactor * (long)_quantized.ExactFilterMaximum)
                {
                    return ExactOver(column, query, limit, matches, residual);
                }

                (everyList, pool) = (true, candidates);
            }

            if (!everyList && probed >= _quantized.Probes && seen >= pool)
            {
                break;
            }

            probed++;
            var members = index.Members(list);
            var codes = index.Codes(list);
            scanned += members.Length;
            for (var i = 0; i < members.Length; i++)
            {
                var slot = members[i];
                if ((matches is not null && !matches.Contains(slot)) || (residual is not null && !residual.Matches(_payloads[slot]!)))
                {
                    continue;
                }

                seen++;
                var distance = VectorColumn.Hamming(codes.Slice(i * words, words), bits);
                if (distance < threshold)
                {
                    top.Offer(slot, distance);
                    threshold = top.Threshold;
                }
            }
        }

        var best = new TopK(limit);
        foreach (var slot in top.Nearest(pool))
        {
            best.Offer(slot, column.Score(slot, query), _ids[slot]);
        }

        return best.Drain();
    }

    /// <summary>
    /// The share of live points that pass: exact from the keyword bitmap, estimated on an even sample of slots when
    /// payloads must be checked.
    /// </summary>
    private double Selectivity(SlotSet? matches, CompiledFilter? residual)
    {
        if (residual is null)
        {
            return matches is null ? 1.0 : (double)matches.Count / Math.Max(1, _slots.Count);
        }

        var step = Math.Max(1, _used / SelectivitySample);
        int live = 0, passing = 0;
        for (var slot = 0; slot < _used; slot += step)
        {
            if (_payloads[slot] is not null)
            {
                live++;
                passing += Passes(slot, matches, residual) ? 1 : 0;
            }
        }

        // Never zero: a filter missed by the sample is rare, not absent, and reading every list finds its matches.
        return Math.Max(passing, 1) / (double)Math.Max(live, 1);
    }

    private List<int> LiveSlots()
    {
        var live = new List<int>(_slots.Count);
        for (var slot = 0; slot < _used; slot++)
        {
            if (_payloads[slot] is not null)
            {
                live.Add(slot);
            }
        }

        return live;
    }

    /// <summary>
    /// Hamming scan over sign bits for the <paramref name="candidates"/> nearest (in parallel partitions on large
    /// tables), then exact float scores for those. The filter applies during the scan, as in the exact search, so
    /// filtered results are the best matching points, not the matching remainder of an unfiltered list.
    /// </summary>
    private List<(int Slot, float Score)> SearchQuantized(
        VectorColumn column, ReadOnlySpan<float> query, int limit, int candidates, SlotSet? matches, CompiledFilter? residual)
    {
        var bits = new ulong[column.Words];
        VectorColumn.Quantize(query, bits);
        var partitions = Math.Max(1, Math.Min(Environment.ProcessorCount, (_used + _quantized.PartitionSize - 1) / _quantized.PartitionSize));
        var tops = new HammingTop[partitions];
        var used = _used;
        void Scan(int partition)
        {
            var top = new HammingTop(candidates);
            var threshold = int.MaxValue;
            var start = (int)((long)used * partition / partitions);
            var end = (int)((long)used * (partition + 1) / partitions);
            for (var slot = start; slot < end; slot++)
            {
                if (!Passes(slot, matches, residual))
                {
                    continue;
                }

                // Most points are farther than the current candidates: compare with a local before touching the heap.
                var distance = column.Hamming(slot, bits);
                if (distance < threshold)
                {
                    top.Offer(slot, distance);
                    threshold = top.Threshold;
                }
            }

            tops[partition] = top;
        }

        if (partitions == 1)
        {
            Scan(0);
        }
        else
        {
            Parallel.For(0, partitions, Scan);
        }

        var best = new TopK(limit);
        foreach (var top in tops)
        {
            foreach (var slot in top.Slots())
            {
                best.Offer(slot, column.Score(slot, query), _ids[slot]);
            }
        }

        return best.Drain();
    }

    private int NextSlot()
    {
        if (_used == _ids.Length)
        {
            var capacity = checked(_ids.Length * 2);
            Array.Resize(ref _ids, capacity);
            Array.Resize(ref _payloads, capacity);
            foreach (var index in _indexes.Values)
            {
                index.EnsureCapacity(capacity);
            }
        }

        // The floats, by far the largest part, grow a chunk at a time rather than doubling with the slot arrays.
        foreach (var column in _columns.Values)
        {
            column.EnsureCapacity(_used + 1);
        }

        return _used++;
    }
}
