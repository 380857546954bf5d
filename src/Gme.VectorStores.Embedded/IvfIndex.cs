namespace Gme.VectorStores.Embedded;

/// <summary>
/// An inverted file over one column's sign-bit codes: the points are split into about √n lists by their nearest
/// centroid (in Hamming distance), and a search reads only the lists nearest the query instead of every code.
/// <para>
/// Centroids are trained by k-means in code space (each centroid is the sign of the sum of its members' vectors) on a
/// sample, once the column reaches <see cref="QuantizedSearch.MinimumPoints"/> and again whenever it has doubled
/// since, so list sizes stay near √n as a collection grows; points added in between join their nearest list.
/// Everything here is derived from the vectors, so a missing or stale centroid file only costs a retraining.
/// </para>
/// <para>
/// Each list keeps a copy of its members' codes in member order (1/32 of the floats again, ~20 MB at 100k x 1536):
/// a probe then streams through memory instead of fetching each member's code from wherever its slot lies, which
/// took three cache misses a member and was the larger half of a search's time (bench/Gme.Bench.Vectors).
/// </para>
/// </summary>
internal sealed class IvfIndex(VectorColumn column)
{
    private const int TrainingIterations = 6;
    private const int SamplePerList = 32;

    private ulong[] _centroids = [];
    private int[][] _members = [];
    private ulong[][] _codes = [];
    private int[] _sizes = [];

    // Slot → list + 1 (0: in no list) and the slot's position in that list, for O(1) removal.
    private int[] _listOf = [];
    private int[] _position = [];

    public int Lists { get; private set; }

    /// <summary>Live points when the centroids were trained; retraining waits until the column has doubled.</summary>
    public int TrainedOn { get; private set; }

    /// <summary>Changes each time the centroids do, so the collection knows when to save them.</summary>
    public int Version { get; private set; }

    public ReadOnlySpan<ulong> Centroids => _centroids;

    public void EnsureCapacity(int slots)
    {
        if (_listOf.Length < slots)
        {
            Array.Resize(ref _listOf, slots);
            Array.Resize(ref _position, slots);
        }
    }

    public bool NeedsTraining(int live, int minimumPoints) =>
        live >= Math.Max(minimumPoints, 2 * TrainedOn) && live > 0;

    /// <summary>Puts a new or changed point in its nearest list (nothing until trained).</summary>
    public void Set(int slot)
    {
        if (Lists == 0)
        {
            return;
        }

        var list = Nearest(column.Bits(slot));
        if (_listOf[slot] == list + 1)
        {
            // Same list, perhaps a new vector: its code copy follows.
            column.Bits(slot).CopyTo(CodeAt(list, _position[slot]));
            return;
        }

        Remove(slot);
        Append(list, slot);
    }

    public void Remove(int slot)
    {
        var list = _listOf[slot] - 1;
        if (list < 0)
        {
            return;
        }

        // Swap-remove: the last member takes the leaving slot's place.
        var members = _members[list];
        var lastPosition = --_sizes[list];
        var last = members[lastPosition];
        var position = _position[slot];
        members[position] = last;
        CodeAt(list, lastPosition).CopyTo(CodeAt(list, position));
        _position[last] = position;
        _listOf[slot] = 0;
    }

    /// <summary>Adopts saved centroids (from the centroid file) before the points are replayed into their lists.</summary>
    public void UseCentroids(ulong[] centroids, int words, int trainedOn)
    {
        if (words != column.Words || centroids.Length == 0 || centroids.Length % words != 0)
        {
            throw new InvalidDataException("Saved centroids do not fit this vector's code size.");
        }

        _centroids = centroids;
        Lists = centroids.Length / column.Words;
        TrainedOn = trainedOn;
        ResetLists();
        Version++;
    }

    /// <summary>Trains centroids on (a sample of) <paramref name="live"/>, then files every live slot.</summary>
    public void Train(IReadOnlyList<int> live)
    {
        var words = column.Words;
        var lists = Math.Clamp((int)Math.Round(Math.Sqrt(live.Count)), 1, live.Count);
        var sample = Sample(live, Math.Min(live.Count, lists * SamplePerList));
        var centroids = new ulong[lists * words];
        for (var l = 0; l < lists; l++)
        {
            // Evenly spread seeds; slot order carries no meaning, so this is as good as a random pick and repeatable.
            column.Bits(sample[(int)((long)l * sample.Length / lists)]).CopyTo(centroids.AsSpan(l * words, words));
        }

        _centroids = centroids;
        Lists = lists;
        var assignment = new int[sample.Length];
        var sums = new float[lists * column.Dimensions];
        var counts = new int[lists];
        for (var iteration = 0; iteration < TrainingIterations; iteration++)
        {
            AssignAll(sample, assignment);
            Array.Clear(sums);
            Array.Clear(counts);
            for (var i = 0; i < sample.Length; i++)
            {
                var sum = sums.AsSpan(assignment[i] * column.Dimensions, column.Dimensions);
                System.Numerics.Tensors.TensorPrimitives.Add(sum, column.Row(sample[i]), sum);
                counts[assignment[i]]++;
            }

            for (var l = 0; l < lists; l++)
            {
                // An empty list keeps its centroid: it may attract points on the next pass or as the column grows.
                if (counts[l] > 0)
                {
                    VectorColumn.Quantize(sums.AsSpan(l * column.Dimensions, column.Dimensions), centroids.AsSpan(l * words, words));
                }
            }
        }

        TrainedOn = live.Count;
        Version++;
        ResetLists();
        var nearest = new int[live.Count];
        AssignAll(live, nearest);
        for (var i = 0; i < live.Count; i++)
        {
            Append(nearest[i], live[i]);
        }
    }

    /// <summary>
    /// The lists in order of their centroid's Hamming distance from the query's code, nearest first, as a heap the
    /// search takes lists from until it has enough: it reads about 8 of ~√n, so heapifying (linear) and taking a few
    /// beats sorting them all, which was a tenth of a filtered search's time.
    /// </summary>
    public PriorityQueue<int, int> ProbeOrder(ReadOnlySpan<ulong> query)
    {
        var lists = new (int List, int Distance)[Lists];
        for (var l = 0; l < Lists; l++)
        {
            lists[l] = (l, VectorColumn.Hamming(_centroids.AsSpan(l * column.Words, column.Words), query));
        }

        return new PriorityQueue<int, int>(lists);
    }

    public ReadOnlySpan<int> Members(int list) => _members[list].AsSpan(0, _sizes[list]);

    /// <summary>The codes of <see cref="Members"/>, <see cref="VectorColumn.Words"/> ulongs each, in the same order.</summary>
    public ReadOnlySpan<ulong> Codes(int list) => _codes[list].AsSpan(0, _sizes[list] * column.Words);

    /// <summary>Members whose code copy differs from their column's code: 0 unless the lists have gone stale (for tests).</summary>
    internal int CountStaleCodes()
    {
        var stale = 0;
        for (var list = 0; list < Lists; list++)
        {
            var members = Members(list);
            for (var i = 0; i < members.Length; i++)
            {
                stale += CodeAt(list, i).SequenceEqual(column.Bits(members[i])) ? 0 : 1;
            }
        }

        return stale;
    }

    /// <summary>The copy of the code at <paramref name="position"/> of <paramref name="list"/>.</summary>
    private Span<ulong> CodeAt(int list, int position) => _codes[list].AsSpan(position * column.Words, column.Words);

    private int Nearest(ReadOnlySpan<ulong> code)
    {
        var words = column.Words;
        var best = 0;
        var bestDistance = int.MaxValue;
        for (var l = 0; l < Lists; l++)
        {
            var distance = VectorColumn.Hamming(_centroids.AsSpan(l * words, words), code);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (l, distance);
            }
        }

        return best;
    }

    private void AssignAll(IReadOnlyList<int> slots, int[] nearest)
    {
        var partitions = Math.Max(1, Math.Min(Environment.ProcessorCount, slots.Count / 4096));
        Parallel.For(0, partitions, p =>
        {
            var end = (int)((long)slots.Count * (p + 1) / partitions);
            for (var i = (int)((long)slots.Count * p / partitions); i < end; i++)
            {
                nearest[i] = Nearest(column.Bits(slots[i]));
            }
        });
    }

    private void ResetLists()
    {
        var expected = Math.Max(4, TrainedOn / Math.Max(1, Lists));
        _members = Enumerable.Range(0, Lists).Select(_ => new int[expected]).ToArray();
        _codes = Enumerable.Range(0, Lists).Select(_ => new ulong[expected * column.Words]).ToArray();
        _sizes = new int[Lists];
        Array.Clear(_listOf);
    }

    private void Append(int list, int slot)
    {
        if (_sizes[list] == _members[list].Length)
        {
            Array.Resize(ref _members[list], _members[list].Length * 2);
            Array.Resize(ref _codes[list], _members[list].Length * column.Words);
        }

        column.Bits(slot).CopyTo(CodeAt(list, _sizes[list]));
        _position[slot] = _sizes[list];
        _members[list][_sizes[list]++] = slot;
        _listOf[slot] = list + 1;
    }

    private static int[] Sample(IReadOnlyList<int> live, int count)
    {
        var sample = new int[count];
        for (var i = 0; i < count; i++)
        {
            sample[i] = live[(int)((long)i * live.Count / count)];
        }

        return sample;
    }
}
