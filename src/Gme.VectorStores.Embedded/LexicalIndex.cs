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
    private readonly Dictionary<Guid, (SparseVector Vector, IReadOnlyDictionary<string, string?> Payload)> _points = [];
    private readonly Dictionary<uint, Dictionary<Guid, float>> _postings = [];
    private long _withTerms;

    public void Apply(LogRecord record)
    {
        Remove(record.Id);
        if (record.Operation != LogOperation.Upsert)
        {
            return;
        }

        var vector = encoder.Document(record.Payload);
        _points[record.Id] = (vector, record.Payload);
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

            posting[record.Id] = vector.Values[i];
        }
    }

    /// <summary>Best first; equal scores by ascending id. IDF counts every point, whatever the filter (as Qdrant does).</summary>
    public List<ScoredPoint> Search(SparseVector query, int limit, CompiledFilter? filter)
    {
        var scores = new Dictionary<Guid, double>();
        for (var i = 0; i < query.Count; i++)
        {
            if (!_postings.TryGetValue(query.Indices[i], out var posting) || posting.Count == 0)
            {
                continue;
            }

            var idf = Bm25.Idf(_withTerms, posting.Count) * query.Values[i];
            foreach (var (id, weight) in posting)
            {
                scores[id] = scores.GetValueOrDefault(id) + (idf * weight);
            }
        }

        var top = new PriorityQueue<Guid, (double Score, Guid Id)>(limit + 1, WorstFirst.Instance);
        foreach (var (id, score) in scores)
        {
            if (filter is not null && !filter.Matches(_points[id].Payload))
            {
                continue;
            }

            top.Enqueue(id, (score, id));
            if (top.Count > limit)
            {
                top.Dequeue();
            }
        }

        var hits = new List<ScoredPoint>(top.Count);
        while (top.TryDequeue(out var id, out var key))
        {
            hits.Add(new ScoredPoint(id, (float)key.Score, _points[id].Payload));
        }

        hits.Reverse();
        return hits;
    }

    private void Remove(Guid id)
    {
        if (!_points.Remove(id, out var old) || old.Vector.Count == 0)
        {
            return;
        }

        _withTerms--;
        foreach (var term in old.Vector.Indices)
        {
            if (_postings.TryGetValue(term, out var posting) && posting.Remove(id) && posting.Count == 0)
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
