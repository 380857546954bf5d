using Gme.Core;
using Gme.Core.Embeddings;
using Gme.Core.Lexical;
using Gme.Core.Vectors;
using Gme.Pipeline.Search;
using Gme.Pipeline.Stages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gme.Tests.Search;

/// <summary>
/// <see cref="SearchFacets"/> against the definition it replaces: each field counted over the query's first
/// <see cref="SearchFacets.CandidateCount"/> hits searched with every filter but its own (one search per filter set),
/// on the small catalogue and on one of 150 products where a dense or hybrid query fills a page of candidates. The
/// searches are counted at the vector store: one when the query's candidates fit in one page, whatever the filters.
/// </summary>
public sealed class SearchFacetsTests : IAsyncLifetime
{
    private static readonly string[] s_keys = ["colour", "product_type"];
    private readonly SearchApiFactory _factory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _factory.CreateClient().Dispose();
        await _factory.SeedAsync();

        // 150 products, 50 of each colour: a text query's dense leg fills a page; the word "red" alone does not.
        string[] colours = ["Red", "Blue", "Green"];
        string[] types = ["Dress", "Shirt", "Shoe"];
        string[] materials = ["", "cotton ", "wool "];
        var store = _factory.Services.GetRequiredService<IVectorStore>();
        await store.EnsureCollectionAsync(new CollectionSpec(
            "many", WordEmbeddingProvider.Spaces.ToDictionary(s => s.Name, s => new VectorSpec(s.Dimensions, s.Distance)), s_keys), Ct);
        var points = Enumerable.Range(0, 150).Select(i =>
        {
            var (colour, type, material) = (colours[i % 3], types[i / 3 % 3], materials[i / 9 % 3]);
            var name = $"{colour.ToLowerInvariant()} {material}{type.ToLowerInvariant()}";
            var vector = WordEmbeddingProvider.Embed(name);
            return new VectorPoint(PointIds.FromProductId($"M{i}"),
                new Dictionary<string, float[]> { ["text"] = vector, ["image"] = vector },
                PointPayload.Build($"M{i}", $$"""{"name":"{{name}}","colour":"{{colour}}","product_type":"{{type}}"}"""));
        }).ToList();
        await store.UpsertAsync("many", points, Ct);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Theory]
    [InlineData("products", "red", SearchMode.Lexical, null, "product_type=Dress", 1)]
    [InlineData("products", "red dress", SearchMode.Hybrid, null, "colour=Red;product_type=Dress", 1)]
    [InlineData("products", null, SearchMode.Hybrid, "P2", "colour=Blue;colour=Red", 1)]
    [InlineData("many", "red", SearchMode.Lexical, null, "product_type=Dress;colour=Red;colour=Blue", 1)]
    [InlineData("many", "blue shoe", SearchMode.Hybrid, null, "", 1)]
    [InlineData("many", "red dress", SearchMode.Dense, null, "colour=Red", 2)]
    [InlineData("many", "red dress", SearchMode.Hybrid, null, "colour=Red;colour=Blue;product_type=Dress", 4)]
    [InlineData("many", null, SearchMode.Dense, "M4", "product_type=Shirt;colour=Green", 4)]
    public async Task Facets_AreThoseOfASearchPerFilterSet_FromOneSearchWhenTheCandidatesFitInAPage(
        string collection, string? text, SearchMode mode, string? similar, string filters, int searches)
    {
        var request = new SearchRequest
        {
            Text = text,
            SimilarTo = similar,
            Mode = mode,
            Collection = collection,
            Filters = [.. filters.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=')).Select(p => KeyValuePair.Create(p[0], p[1]))],
        };
        var (store, counter) = CountingVectorStore.Wrap(_factory.Services.GetRequiredService<IVectorStore>());
        var search = new ProductSearch(
            _factory.Services.GetRequiredService<QueryEmbedders>(), store, _factory.Services.GetRequiredService<IOptions<GmeOptions>>(),
            _factory.Services.GetService<LexicalEncoder>());

        // What one search of this query costs at the store (a dense query searches each vector space).
        await search.SearchAsync(request with { Top = SearchFacets.CandidateCount }, Ct);
        var perSearch = counter.Searches;
        Assert.True(perSearch > 0);

        var facets = await new SearchFacets(search).CountAsync(request, s_keys, Ct);

        var made = counter.Searches - perSearch;
        Assert.Equal(await ExpectedAsync(search, request), Shown(facets));
        Assert.Equal(searches * perSearch, made);
        Assert.Contains(facets, f => f.Values.Count > 0);
    }

    /// <summary>The definition: each field over the first page of the search with every filter but its own.</summary>
    private static async Task<string[]> ExpectedAsync(ProductSearch search, SearchRequest request)
    {
        var facets = new List<Facet>();
        foreach (var key in s_keys)
        {
            var hits = await search.SearchAsync(
                request with { Top = SearchFacets.CandidateCount, Filters = [.. request.Filters.Where(f => f.Key != key)] }, Ct);
            var values = hits.Select(h => h.Payload.GetValueOrDefault(key)).OfType<string>()
                .GroupBy(v => v, StringComparer.Ordinal)
                .Select(g => new FacetValue(g.Key, g.Count()))
                .OrderByDescending(v => v.Count).ThenBy(v => v.Value, StringComparer.Ordinal);
            facets.Add(new Facet(key, [.. values]));
        }

        return Shown(facets);
    }

    private static string[] Shown(IEnumerable<Facet> facets) =>
        [.. facets.Select(f => $"{f.Key}: {string.Join(", ", f.Values.Select(v => $"{v.Value}={v.Count}"))}")];
}
