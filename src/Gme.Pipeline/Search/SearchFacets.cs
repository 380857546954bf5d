namespace Gme.Pipeline.Search;

/// <summary>
/// Facet counts for a search: for each keyword field, the values found among the query's candidates and how many
/// candidates carry each. The candidate set is the query's first <see cref="SearchRequest.MaxTop"/> hits through
/// <see cref="ProductSearch"/> (the same mode, filters and collection as the results the page shows), not the whole
/// collection: a ranked search has no natural cut-off, and the first page's worth of candidates is what a shopper can
/// refine. Counting is disjunctive: a field that has filters of its own is counted over the candidates found with
/// the other fields' filters only, because values of one field are OR-ed, so its other values stay selectable.
/// </summary>
public sealed class SearchFacets(ProductSearch search)
{
    /// <summary>How many of the query's hits the counts cover.</summary>
    public const int CandidateCount = SearchRequest.MaxTop;

    public async Task<IReadOnlyList<Facet>> CountAsync(SearchRequest request, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(keys);

        // One search with every filter serves all fields that have none; each filtered field needs its own search
        // without its filters (at most one per filter, and filters are capped by the API).
        var candidates = request with { Top = CandidateCount };
        var all = await search.SearchAsync(candidates, cancellationToken);
        var facets = new List<Facet>(keys.Count);
        foreach (var key in keys)
        {
            var hits = request.Filters.Any(f => f.Key == key)
                ? await search.SearchAsync(candidates with { Filters = [.. request.Filters.Where(f => f.Key != key)] }, cancellationToken)
                : all;
            facets.Add(new Facet(key, Count(hits, key)));
        }

        return facets;
    }

    /// <summary>Most frequent first, then by value, so the order is stable between identical queries.</summary>
    private static IReadOnlyList<FacetValue> Count(IReadOnlyList<SearchHit> hits, string key) =>
        [.. hits
            .Select(h => h.Payload.TryGetValue(key, out var value) ? value : null)
            .OfType<string>()
            .Where(v => v.Length > 0)
            .GroupBy(v => v, StringComparer.Ordinal)
            .Select(g => new FacetValue(g.Key, g.Count()))
            .OrderByDescending(v => v.Count)
            .ThenBy(v => v.Value, StringComparer.Ordinal)];
}

/// <summary>One keyword field's values among a search's candidates.</summary>
public sealed record Facet(string Key, IReadOnlyList<FacetValue> Values);

/// <summary>A value and how many candidates carry it.</summary>
public sealed record FacetValue(string Value, int Count);
