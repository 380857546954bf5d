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
    // Points get dense int slots (reused once freed) so scoring accumulates into an array, not a hash table.
    private readonly Dictionary<Guid, int> _slots = [];
    private readonly List<(Guid Id, SparseVector Vector, IReadOnlyDictionary<string, string?> Payload)> _points = [];
    private readonly Stack<int> _free = new();
    private readonly Dictionary<uint, Dictionary<int, float>> _postings = [];
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
        }

        _points[slot] = (record.Id, vector, record.Payload);
        _slots[record.Id] = slot;
        if (vector.Count == 0)
        {
            return;
        }

        _withTerms++;
        for (var i = 0; i < vector.Count; i++)
        {
            if (!_postings.TryGetValue(vector.Indices[i], out var posting))
            {
                _postings[vector.Indices[i]] = posting = [];
            }

            posting[slot] = vector.Values[i];
        }
    }

    /// <summary>Best first; equal scores by ascending id. IDF counts every point, whatever the filter (as Qdrant does).</summary>
    public List<ScoredPoint> Search(SparseVector query, int limit, CompiledFilter? filter)
    {
        var scores = new double[_points.Count];
        var touched = new List<int>();
        for (var i = 0; i < query.Count; i++)
        {
            if (!_postings.TryGetValue(query.Indices[i], out var posting) || posting.Count == 0)
            {
                continue;
            }

            var idf = Bm25.Idf(_withTerms, posting.Count) * query.Values[i];
            foreach (var (slot, weight) in posting)
            {
                if (scores[slot] == 0)
                {
                    touched.Add(slot);
                }

                scores[slot] += idf * weight;
            }
        }

        var top = new PriorityQueue<int, (double Score, Guid Id)>(limit + 1, WorstFirst.Instance);
        foreach (var slot in touched)
        {
            var (id, _, payload) = _points[slot];
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

        var old = _points[slot].Vector;
        _points[slot] = default;
        _free.Push(slot);
        if (old.Count == 0)
        {
            return;
        }

        _withTerms--;
        foreach (var term in old.Indices)
        {
            if (_postings.TryGetValue(term, out var posting) && posting.Remove(slot) && posting.Count == 0)
            {
                _postings.Remove(term);
            }
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
