using System.Collections.ObjectModel;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// The in-memory points of one collection: a slot per point, the vectors in one <see cref="VectorColumn"/> per named
/// vector, an id→slot map and the payloads. Freed slots are reused. Not thread-safe: the collection locks around it.
/// Search is an exact scan; an approximate index (HNSW, binary quantisation) can replace <see cref="Search"/> while
/// keeping the slots, payloads and filtering.
/// </summary>
internal sealed class PointTable
{
    private const int InitialCapacity = 64;

    private readonly Dictionary<string, VectorColumn> _columns;
    private readonly Dictionary<Guid, int> _slots = [];
    private readonly Stack<int> _free = new();
    private Guid[] _ids = new Guid[InitialCapacity];

    // Null marks a free slot.
    private IReadOnlyDictionary<string, string?>?[] _payloads = new IReadOnlyDictionary<string, string?>?[InitialCapacity];
    private int _used;

    private readonly QuantizedSearch _quantized;

    public PointTable(CollectionSpec spec, QuantizedSearch? quantized = null)
    {
        _quantized = quantized ?? QuantizedSearch.Default;
        _columns = spec.Vectors.ToDictionary(
            v => v.Key,
            v => new VectorColumn(v.Value.Dimensions, v.Value.Distance),
            StringComparer.Ordinal);
        foreach (var column in _columns.Values)
        {
            column.EnsureCapacity(InitialCapacity);
        }
    }

    public int Count => _slots.Count;

    public void Apply(LogRecord record)
    {
        if (record.Operation == LogOperation.Delete)
        {
            Delete(record.Id);
            return;
        }

        if (!_slots.TryGetValue(record.Id, out var slot))
        {
            slot = _free.Count > 0 ? _free.Pop() : NextSlot();
            _slots[record.Id] = slot;
            _ids[slot] = record.Id;
        }

        foreach (var (name, column) in _columns)
        {
            if (!record.Vectors.TryGetValue(name, out var vector))
            {
                throw new InvalidDataException($"Stored point {record.Id} has no vector '{name}'.");
            }

            column.Set(slot, vector);
        }

        _payloads[slot] = record.Payload;
    }

    public bool Contains(Guid id) => _slots.ContainsKey(id);

    public bool Delete(Guid id)
    {
        if (!_slots.Remove(id, out var slot))
        {
            return false;
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
        var candidates = (int)Math.Min(Math.Max((long)limit * _quantized.Oversampling, _quantized.MinimumCandidates), int.MaxValue);
        if (_quantized.Enabled && column.Quantizable && _slots.Count >= _quantized.MinimumPoints && candidates < _slots.Count)
        {
            return Results(SearchQuantized(column, query, limit, candidates, filter));
        }

        var top = new TopK(Math.Min(limit, _slots.Count));
        for (var slot = 0; slot < _used; slot++)
        {
            var payload = _payloads[slot];
            if (payload is null || (filter is not null && !filter.Matches(payload)))
            {
                continue;
            }

            top.Offer(slot, column.Score(slot, query), _ids[slot]);
        }

        return Results(top.Drain());
    }

    public long CountMatching(CompiledFilter? filter)
    {
        if (filter is null)
        {
            return _slots.Count;
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

    /// <summary>
    /// Hamming scan over sign bits for the <paramref name="candidates"/> nearest (in parallel partitions on large
    /// tables), then exact float scores for those. The filter applies during the scan, as in the exact search, so
    /// filtered results are the best matching points, not the matching remainder of an unfiltered list.
    /// </summary>
    private List<(int Slot, float Score)> SearchQuantized(VectorColumn column, ReadOnlySpan<float> query, int limit, int candidates, CompiledFilter? filter)
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
                var payload = _payloads[slot];
                if (payload is null || (filter is not null && !filter.Matches(payload)))
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
            foreach (var column in _columns.Values)
            {
                column.EnsureCapacity(capacity);
            }
        }

        return _used++;
    }
}
