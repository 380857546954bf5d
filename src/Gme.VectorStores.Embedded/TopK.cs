namespace Gme.VectorStores.Embedded;

/// <summary>
/// The best <c>k</c> of a stream of scored slots, kept in a min-heap of size k. Equal scores rank by ascending id so
/// results do not depend on slot order (which differs after a reload or compaction).
/// </summary>
internal sealed class TopK
{
    private readonly PriorityQueue<int, (float Score, Guid Id)> _heap;
    private readonly int _k;

    public TopK(int k)
    {
        _k = k;
        _heap = new PriorityQueue<int, (float Score, Guid Id)>(k, WorstFirst.Instance);
    }

    public void Offer(int slot, float score, Guid id)
    {
        if (_heap.Count < _k)
        {
            _heap.Enqueue(slot, (score, id));
        }
        else if (_k > 0 && _heap.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare((score, id), worst) > 0)
        {
            _heap.DequeueEnqueue(slot, (score, id));
        }
    }

    /// <summary>The kept slots, best first.</summary>
    public List<(int Slot, float Score)> Drain()
    {
        var result = new List<(int Slot, float Score)>(_heap.Count);
        while (_heap.TryDequeue(out var slot, out var priority))
        {
            result.Add((slot, priority.Score));
        }

        result.Reverse();
        return result;
    }

    /// <summary>Orders worse before better: lower score, or equal score and greater id.</summary>
    private sealed class WorstFirst : IComparer<(float Score, Guid Id)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((float Score, Guid Id) x, (float Score, Guid Id) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.Id.CompareTo(x.Id);
        }
    }
}
