using System.Buffers;
using Gme.Core.Lexical;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// The lexical leg of a collection: each point's BM25 document vector (<see cref="LexicalEncoder"/>, computed from
/// its payload) and an inverted index from term to points. It is derived from the point log as the log is replayed,
/// like the quantised sign bits, so there is no second file to keep crash-safe and it can never disagree with the
/// points: a missing index is simply rebuilt on load, a re-upserted point replaces its postings, a deleted one drops
/// them. Not thread-safe: the collection applies changes under its write lock and searches under its read lock.
/// </summary>
internal sealed class LexicalIndex(LexicalEncoder encoder)
{
    // Per-query score arrays (one double per slot: ~0.8 MB at 105k points, a large object) are rented, not allocated.
    private static readonly ArrayPool<double> s_scores = ArrayPool<double>.Create(1 << 24, 4);

    // Points get dense int slots (reused once freed) so scoring accumulates into an array, not a hash table.
    private readonly Dictionary<Guid, int> _slots = [];

    // The document vector is not kept: removal recomputes it from the payload (the same encoder made it), which
    // saves two arrays per point for an operation far rarer than holding them.
    private readonly List<(Guid Id, IReadOnlyDictionary<string, string?> Payload)> _points = [];

    // Bumped when a slot's point goes, so postings still naming the slot are known stale without being searched for.
    private readonly List<int> _generations = [];
    private readonly Stack<int> _free = new();
    private readonly Dictionary<uint, Posting> _postings = [];
    private long _withTerms;

    public void Apply(LogRecord record)
    {
        Remove(record.Id);
        if (record.Operation != LogOperation.Upsert)
        {
            return;
        }

        var vector = encoder.Document(record.Payload);
        var slot = _free.Count > 0 ? _free.Pop() : _points.Count;
        if (slot == _points.Count)
        {
            _points.Add(default);
            _generations.Add(0);
        }

        _points[slot] = (record.Id, record.Payload);
        _slots[record.Id] = slot;
        if (vector.Count == 0)
        {
            return;
        }

        _withTerms++;
        var generation = _generations[slot];
        for (var i = 0; i < vector.Count; i++)
        {
            if (!_postings.TryGetValue(vector.Indices[i], out var posting))
            {
                _postings[vector.Indices[i]] = posting = new Posting();
            }

            posting.Add(slot, generation, vector.Values[i]);
        }
    }

    /// <summary>Best first; equal scores by ascending id. IDF counts every point, whatever the filter (as Qdrant does).</summary>
    public List<ScoredPoint> Search(SparseVector query, int limit, CompiledFilter? filter)
    {
        var scores = s_scores.Rent(Math.Max(_points.Count, 1));
        var touched = new List<int>();
        try
        {
            Score(query, scores, touched);
            return Top(scores, touched, limit, filter);
        }
        finally
        {
            // Only touched entries were written: clearing them returns the array as clean as it came.
            foreach (var slot in touched)
            {
                scores[slot] = 0;
            }

            s_scores.Return(scores);
        }
    }

    private void Score(SparseVector query, double[] scores, List<int> touched)
    {
        for (var i = 0; i < query.Count; i++)
        {
            if (!_postings.TryGetValue(query.Indices[i], out var posting) || posting.Live == 0)
            {
                continue;
            }

            var idf = Bm25.Idf(_withTerms, posting.Live) * query.Values[i];
            for (var e = 0; e < posting.Count; e++)
            {
                var slot = posting.Slots[e];
                if (posting.Generations[e] != _generations[slot])
                {
                    continue;
                }

                if (scores[slot] == 0)
                {
                    touched.Add(slot);
                }

                scores[slot] += idf * posting.Weights[e];
            }
        }
    }

    private List<ScoredPoint> Top(double[] scores, List<int> touched, int limit, CompiledFilter? filter)
    {
        var top = new PriorityQueue<int, (double Score, Guid Id)>(limit + 1, WorstFirst.Instance);
        foreach (var slot in touched)
        {
            var (id, payload) = _points[slot];
            var key = (scores[slot], id);
            // A full heap whose worst beats this point: skip it before the (costlier) filter.
            if (top.Count >= limit && top.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare(key, worst) <= 0)
            {
                continue;
            }

            if (filter is not null && !filter.Matches(payload))
            {
                continue;
            }

            top.Enqueue(slot, key);
            if (top.Count > limit)
            {
                top.Dequeue();
            }
        }

        var hits = new List<ScoredPoint>(top.Count);
        while (top.TryDequeue(out var slot, out var key))
        {
            hits.Add(new ScoredPoint(key.Id, (float)key.Score, _points[slot].Payload));
        }

        hits.Reverse();
        return hits;
    }

    private void Remove(Guid id)
    {
        if (!_slots.Remove(id, out var slot))
        {
            return;
        }

        var old = encoder.Document(_points[slot].Payload);
        _points[slot] = default;
        _generations[slot]++;
        _free.Push(slot);
        if (old.Count == 0)
        {
            return;
        }

        _withTerms--;
        foreach (var term in old.Indices)
        {
            if (!_postings.TryGetValue(term, out var posting))
            {
                continue;
            }

            posting.Live--;
            if (posting.Live == 0)
            {
                _postings.Remove(term);
            }
            else if (posting.Count > (2 * posting.Live) + 16)
            {
                posting.DropStale(_generations);
            }
        }
    }

    /// <summary>
    /// One term's postings as parallel arrays (12 bytes an entry; a dictionary per term took about twice that and
    /// enumerated slower). A removed point's entries stay until stale ones outnumber the live, then are dropped at once.
    /// </summary>
    private sealed class Posting
    {
        public int[] Slots = new int[4];
        public int[] Generations = new int[4];
        public float[] Weights = new float[4];
        public int Count;

        /// <summary>Entries whose point is still there: the term's document frequency.</summary>
        public int Live;

        public void Add(int slot, int generation, float weight)
        {
            if (Count == Slots.Length)
            {
                var size = Count * 2;
                Array.Resize(ref Slots, size);
                Array.Resize(ref Generations, size);
                Array.Resize(ref Weights, size);
            }

            Slots[Count] = slot;
            Generations[Count] = generation;
            Weights[Count] = weight;
            Count++;
            Live++;
        }

        public void DropStale(List<int> generations)
        {
            var kept = 0;
            for (var e = 0; e < Count; e++)
            {
                if (Generations[e] == generations[Slots[e]])
                {
                    Slots[kept] = Slots[e];
                    Generations[kept] = Generations[e];
                    Weights[kept] = Weights[e];
                    kept++;
                }
            }

            Count = kept;
        }
    }

    /// <summary>Lower score first, and among equals the larger id first, so the heap drops what ranks last.</summary>
    private sealed class WorstFirst : IComparer<(double Score, Guid Id)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((double Score, Guid Id) x, (double Score, Guid Id) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.Id.CompareTo(x.Id);
        }
    }
}
