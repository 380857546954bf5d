using System.Numerics;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// A set of slots as a bitmap: membership is one bit test, so a keyword filter costs next to nothing per point in a
/// scan, and intersecting or counting a filter's matches touches one bit per slot rather than every payload.
/// </summary>
internal sealed class SlotSet
{
    private ulong[] _words;

    public SlotSet(int capacity = 0)
    {
        _words = new ulong[(capacity + 63) / 64];
    }

    private SlotSet(ulong[] words, int count)
    {
        _words = words;
        Count = count;
    }

    public int Count { get; private set; }

    public bool Contains(int slot)
    {
        var word = slot >> 6;
        return word < _words.Length && (_words[word] & (1UL << (slot & 63))) != 0;
    }

    public void Add(int slot)
    {
        var word = slot >> 6;
        if (word >= _words.Length)
        {
            Array.Resize(ref _words, Math.Max(word + 1, _words.Length * 2));
        }

        var mask = 1UL << (slot & 63);
        if ((_words[word] & mask) == 0)
        {
            _words[word] |= mask;
            Count++;
        }
    }

    public void Remove(int slot)
    {
        var word = slot >> 6;
        var mask = 1UL << (slot & 63);
        if (word < _words.Length && (_words[word] & mask) != 0)
        {
            _words[word] &= ~mask;
            Count--;
        }
    }

    public SlotSet Copy() => new((ulong[])_words.Clone(), Count);

    public void UnionWith(SlotSet other)
    {
        if (other._words.Length > _words.Length)
        {
            Array.Resize(ref _words, other._words.Length);
        }

        for (var i = 0; i < other._words.Length; i++)
        {
            _words[i] |= other._words[i];
        }

        Recount();
    }

    public void IntersectWith(SlotSet other)
    {
        for (var i = 0; i < _words.Length; i++)
        {
            _words[i] &= i < other._words.Length ? other._words[i] : 0;
        }

        Recount();
    }

    /// <summary>The slots in ascending order.</summary>
    public IEnumerable<int> Slots()
    {
        for (var i = 0; i < _words.Length; i++)
        {
            var word = _words[i];
            while (word != 0)
            {
                yield return (i << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
            }
        }
    }

    private void Recount()
    {
        var count = 0;
        foreach (var word in _words)
        {
            count += BitOperations.PopCount(word);
        }

        Count = count;
    }
}
