namespace Gme.Pipeline.Search;

/// <summary>
/// Parses <c>key=value</c> search filters and checks each key against the indexed keyword fields, for the HTTP API
/// and `gme search` alike: an unknown key would otherwise match nothing and answer "no results", which reads as a
/// real answer instead of a typo.
/// </summary>
public static class SearchFilters
{
    /// <summary>The filters as key/value pairs, or a <see cref="SearchException"/> naming the first bad one and the known keys.</summary>
    public static List<KeyValuePair<string, string>> Parse(IEnumerable<string> filters, IReadOnlyCollection<string> knownKeys)
    {
        var parsed = new List<KeyValuePair<string, string>>();
        foreach (var f in filters)
        {
            var parts = f.Split('=', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0)
            {
                throw new SearchException($"filter '{f}' is not key=value.");
            }

            var key = parts[0].Trim();
            if (!knownKeys.Contains(key, StringComparer.Ordinal))
            {
                throw new SearchException($"filter key '{key}' is unknown; filterable keys: {string.Join(", ", knownKeys)}.");
            }

            parsed.Add(new(key, parts[1].Trim()));
        }

        return parsed;
    }
}
