namespace Gme.VectorStores.Embedded;

/// <summary>
/// The slots holding each value of the collection's keyword-indexed payload keys, so a filter on those keys resolves
/// to a <see cref="SlotSet"/> once per search: the index then tests one bit per point, and a very selective filter is
/// answered by scoring only its matches.
/// </summary>
internal sealed class KeywordIndex(IEnumerable<string> keys)
{
    private readonly Dictionary<string, Dictionary<string, SlotSet>> _byKey = keys
        .Distinct(StringComparer.Ordinal)
        .ToDictionary(k => k, _ => new Dictionary<string, SlotSet>(StringComparer.Ordinal), StringComparer.Ordinal);

    public void Add(int slot, IReadOnlyDictionary<string, string?> payload)
    {
        foreach (var (key, values) in _byKey)
        {
            if (payload.TryGetValue(key, out var value) && value is not null)
            {
                if (!values.TryGetValue(value, out var slots))
                {
                    values[value] = slots = new SlotSet();
                }

                slots.Add(slot);
            }
        }
    }

    public void Remove(int slot, IReadOnlyDictionary<string, string?> payload)
    {
        foreach (var (key, values) in _byKey)
        {
            if (payload.TryGetValue(key, out var value) && value is not null && values.TryGetValue(value, out var slots))
            {
                slots.Remove(slot);
                if (slots.Count == 0)
                {
                    values.Remove(value);
                }
            }
        }
    }

    /// <summary>
    /// The slots that pass every condition on an indexed key (null when the filter has none), and whether those are
    /// all its conditions, i.e. whether the set is the exact answer or payloads must still be checked.
    /// </summary>
    public (SlotSet? Matches, bool Complete) Resolve(CompiledFilter filter)
    {
        SlotSet? matches = null;
        var complete = true;
        foreach (var (key, wanted) in filter.Conditions)
        {
            if (!_byKey.TryGetValue(key, out var values))
            {
                complete = false;
                continue;
            }

            var any = new SlotSet();
            foreach (var value in wanted)
            {
                if (values.TryGetValue(value, out var slots))
                {
                    any.UnionWith(slots);
                }
            }

            if (matches is null)
            {
                matches = any;
            }
            else
            {
                matches.IntersectWith(any);
            }
        }

        return (matches, complete);
    }
}
