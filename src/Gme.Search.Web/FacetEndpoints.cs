using Gme.Core.Embeddings;
using Gme.Core.Vectors;
using Gme.Pipeline;
using Gme.Pipeline.Search;
using Microsoft.Extensions.Options;

namespace Gme.Search.Web;

/// <summary>
/// GET /api/facets: the keyword fields' values with counts for a search, so the page can offer them as filters. It
/// takes the parameters of GET /api/search (less <c>top</c>) and runs the same <see cref="ProductSearch"/> path;
/// the counts cover the query's first <see cref="SearchFacets.CandidateCount"/> hits (see <see cref="SearchFacets"/>).
/// </summary>
internal static class FacetEndpoints
{
    public static void MapFacetEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/facets", FacetsAsync).AddEndpointFilter(SearchEndpoints.RequireApiKeyAsync);

    /// <summary>GET /api/facets?q=dress&amp;filter=colour=Red&amp;mode=hybrid&amp;collection=products</summary>
    private static async Task<IResult> FacetsAsync(
        ProductSearch productSearch,
        IVectorStore store,
        IOptions<SearchOptions> options,
        IOptions<IndexerOptions> indexer,
        ILoggerFactory loggers,
        string? q,
        string? similar,
        string[]? filter,
        string? mode,
        string? collection,
        CancellationToken ct)
    {
        if (!SearchEndpoints.TryParseMode(mode, out var searchMode))
        {
            return SearchEndpoints.Problem(StatusCodes.Status400BadRequest, $"mode must be hybrid, dense or lexical (got '{SearchEndpoints.Shown(mode!)}').", "mode");
        }

        var request = SearchEndpoints.Request(options.Value, indexer.Value, q, similar, filter, top: null, image: null, out var problem);
        if (problem is not null)
        {
            return problem;
        }

        var name = string.IsNullOrWhiteSpace(collection) ? null : collection.Trim();
        if (name is not null && await store.GetCollectionAsync(name, ct) is null)
        {
            return SearchEndpoints.Problem(StatusCodes.Status404NotFound, $"collection '{SearchEndpoints.Shown(name)}' does not exist.", "collection");
        }

        using var activity = Diagnostics.ActivitySource.StartActivity("facets");
        try
        {
            var facets = await new SearchFacets(productSearch).CountAsync(request! with { Mode = searchMode, Collection = name }, indexer.Value.KeywordIndexes, ct);
            return Results.Ok(new { candidates = SearchFacets.CandidateCount, facets });
        }
        catch (SearchException ex)
        {
            loggers.CreateLogger(typeof(FacetEndpoints)).SearchRefused(ex.Message);
            var parameter = ex.Message.StartsWith("give a ", StringComparison.Ordinal) ? "q"
                : ex.Message.StartsWith("product ", StringComparison.Ordinal) ? "similar"
                : null;
            return SearchEndpoints.Problem(StatusCodes.Status400BadRequest, ex.Message, parameter);
        }
        catch (EmbeddingUnavailableException ex)
        {
            loggers.CreateLogger(typeof(FacetEndpoints)).QueryEmbeddingUnavailable(ex.Message);
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable,
                extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = SearchEndpoints.RetryAfterSeconds })
                .WithRetryAfter(SearchEndpoints.RetryAfterSeconds);
        }
    }
}
