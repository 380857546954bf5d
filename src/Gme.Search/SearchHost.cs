namespace Gme.Search;

/// <summary>
/// Names the search service's assembly for <c>WebApplicationFactory</c> in the tests: the endpoints live in
/// Gme.Search.Web, and the top-level <c>Program</c> of every service is internal and shares one name.
/// </summary>
public sealed class SearchHost
{
    private SearchHost()
    {
    }
}
