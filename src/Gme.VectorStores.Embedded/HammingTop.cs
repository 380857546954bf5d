namespace Gme.VectorStores.Embedded;

/// <summary>
/// The <c>k</c> smallest Hamming distances seen, in a max-heap, with no tie-breaking: the candidates are rescored
/// exactly afterwards, so which of several equally distant slots survives at the boundary barely matters, and
/// skipping the id comparison keeps the scan loop cheap.
/// </summary>
internal sealed class HammingTop(int k)
{
    private readonly PriorityQueue<int, int> _heap = new(k, Comparer<int>.Create((x, y) => y.CompareTo(x)));

    /// <summary>Distances at or above this cannot get in, so the scan skips the heap for them.</summary>
    public int Threshold { get; private set; } = int.MaxValue;

    public void Offer(int slot, int distance)
    {
        if (_heap.Count < k)
        {
            _heap.Enqueue(slot, distance);
        }
        else if (_heap.TryPeek(out _, out var worst) && distance < worst)
        {
            _heap.DequeueEnqueue(slot, distance);
        }

        if (_heap.Count == k && _heap.TryPeek(out _, out var last))
        {
            Threshold = last;
        }
    }

    public IEnumerable<int> Slots() => _heap.UnorderedItems.Select(item => item.Element);

    /// <summary>The <paramref name="count"/> nearest kept slots.</summary>
    public IEnumerable<int> Nearest(int count) => _heap.Count <= count
        ? Slots()
        : _heap.UnorderedItems.OrderBy(item => item.Priority).Take(count).Select(item => item.Element);
}
