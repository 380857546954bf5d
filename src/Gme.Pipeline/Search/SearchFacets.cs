using Gme.Core.Vectors;

namespace Gme.Pipeline.Search;

/// <summary>
/// Facet counts for a search: for each keyword field, the values found among the query's candidates and how many
/// candidates carry each. The candidate set is the query's first <see cref="SearchRequest.MaxTop"/> hits through
/// <see cref="ProductSearch"/> (the same mode, filters and collection as the results the page shows), not the whole
/// collection: a ranked search has no natural cut-off, and the first page's worth of candidates is what a shopper can
/// refine. Counting is disjunctive: a field that has filters of its own is counted over the candidates found with
/// the other fields' filters only, because values of one field are OR-ed, so its other values stay selectable. When the
/// query has fewer candidates than that, one search without filters gives every count; otherwise each filter set is
/// searched (see <see cref="CountAsync"/>).
/// </summary>
public sealed class SearchFacets(ProductSearch search)
{
    /// <summary>How many of the query's hits the counts cover.</summary>
    public const int CandidateCount = SearchRequest.MaxTop;

    public async Task<IReadOnlyList<Facet>> CountAsync(SearchRequest request, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(keys);

        var candidates = request with { Top = CandidateCount };
        if (request.Filters.Count == 0)
        {
            var hits = await search.SearchAsync(candidates, cancellationToken);
            return [.. keys.Select(key => new Facet(key, Count(hits, key)))];
        }

        // The query's candidates without any filter. Fewer than CandidateCount means that is every candidate the query
        // has (each leg returned all it found), so a filtered search would return exactly those of them passing its
        // filters: every field is counted from this one fetch, its own filter left out and the others applied here.
        var unfiltered = await search.SearchAsync(candidates with { Filters = [] }, cancellationToken);
        if (unfiltered.Count < CandidateCount)
        {
            var facets = new List<Facet>(keys.Count);
            foreach (var key in keys)
            {
                var others = Without(request, key);
                facets.Add(new Facet(key, Count(others is null ? unfiltered : unfiltered.Where(h => others.Matches(h.Payload)), key)));
            }

            return facets;
        }

        // A full page of candidates: a filtered search reaches past it (counting that page filtered here would
        // undercount what the filtered results show), so each filter set is searched as such. The fields without a
        // filter share the search with every filter; a field whose filter is the only one is counted over the
        // unfiltered candidates already fetched.
        var all = await search.SearchAsync(candidates, cancellationToken);
        var counted = new List<Facet>(keys.Count);
        foreach (var key in keys)
        {
            var hits = !request.Filters.Any(f => f.Key == key) ? all
                : Without(request, key) is null ? unfiltered
                : await search.SearchAsync(candidates with { Filters = [.. request.Filters.Where(f => f.Key != key)] }, cancellationToken);
            counted.Add(new Facet(key, Count(hits, key)));
        }

        return counted;
    }

    /// <summary>The request's filters less those on <paramref name="key"/>; null when none is left.</summary>
    private static PayloadFilter? Without(SearchRequest request, string key) =>
        PayloadFilter.From(request.Filters.Where(f => f.Key != key));

    /// <summary>Most frequent first, then by value, so the order is stable between identical queries.</summary>
    private static IReadOnlyList<FacetValue> Count(IEnumerable<SearchHit> hits, string key) =>
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
