namespace Gme.VectorStores.Embedded;

/// <summary>
/// The <c>k</c> smallest Hamming distances seen, in a max-heap over two plain arrays, with no tie-breaking: the
/// candidates are rescored exactly afterwards, so which of several equally distant slots survives at the boundary
/// barely matters, and skipping the id comparison keeps the scan loop cheap. (A PriorityQueue with a comparer
/// delegate cost a delegate call per comparison on the search's hottest path.)
/// </summary>
internal sealed class HammingTop(int k)
{
    private readonly int[] _distances = new int[Math.Max(k, 0)];
    private readonly int[] _slots = new int[Math.Max(k, 0)];
    private int _count;

    /// <summary>Distances at or above this cannot get in, so the scan skips the heap for them.</summary>
    public int Threshold { get; private set; } = int.MaxValue;

    public int Count => _count;

    public void Offer(int slot, int distance)
    {
        if (_count < _distances.Length)
        {
            // Sift up from the end.
            var i = _count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (_distances[parent] >= distance)
                {
                    break;
                }

                _distances[i] = _distances[parent];
                _slots[i] = _slots[parent];
                i = parent;
            }

            _distances[i] = distance;
            _slots[i] = slot;
        }
        else if (_count > 0 && distance < _distances[0])
        {
            // Replace the farthest (the root) and sift down.
            var i = 0;
            while (true)
            {
                var child = (2 * i) + 1;
                if (child >= _count)
                {
                    break;
                }

                if (child + 1 < _count && _distances[child + 1] > _distances[child])
                {
                    child++;
                }

                if (_distances[child] <= distance)
                {
                    break;
                }

                _distances[i] = _distances[child];
                _slots[i] = _slots[child];
                i = child;
            }

            _distances[i] = distance;
            _slots[i] = slot;
        }

        if (_count == _distances.Length && _count > 0)
        {
            Threshold = _distances[0];
        }
    }

    /// <summary>The kept slots, in no order.</summary>
    public ReadOnlySpan<int> Slots() => _slots.AsSpan(0, _count);

    /// <summary>The <paramref name="count"/> nearest kept slots, in no order.</summary>
    public ReadOnlySpan<int> Nearest(int count)
    {
        if (_count <= count)
        {
            return Slots();
        }

        // Sorting the kept pairs by distance leaves the heap unusable, which is fine: this is the last call.
        Array.Sort(_distances, _slots, 0, _count);
        return _slots.AsSpan(0, count);
    }
}
