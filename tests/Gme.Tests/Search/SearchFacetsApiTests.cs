using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gme.Tests.Search;

/// <summary>GET /api/facets: keyword values with counts over the query's candidates, through the search path.</summary>
public sealed class SearchFacetsApiTests : IAsyncLifetime
{
    private readonly SearchApiFactory _factory = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = _factory.CreateClient();
        await _factory.SeedAsync();
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Facets_CountOnlyTheQuerysCandidates()
    {
        // The lexical leg finds only the products with the word "red": P1 (dress), P3 (shirt), P6 (dress).
        var facets = await GetFacetsAsync("/api/facets?q=red&mode=lexical");

        Assert.Equal(["Red=3"], facets["colour"]);
        Assert.Equal(["Dress=2", "Shirt=1"], facets["product_type"]);
    }

    [Fact]
    public async Task Facets_FilteredField_IsCountedWithoutItsOwnFilter()
    {
        var facets = await GetFacetsAsync("/api/facets?q=red&mode=lexical&filter=product_type=Dress");

        // Colour is counted over the filtered candidates; product type without its own filter, so Shirt stays offered.
        Assert.Equal(["Red=2"], facets["colour"]);
        Assert.Equal(["Dress=2", "Shirt=1"], facets["product_type"]);
    }

    [Theory]
    [InlineData("q=red+dress", "colour")]
    [InlineData("q=shirt&mode=dense", "product_type")]
    [InlineData("similar=P2", "colour")]
    public async Task Facets_EachCount_IsWhatTheSearchWithThatFilterReturns(string query, string key)
    {
        var facets = await GetFacetsAsync($"/api/facets?{query}");

        Assert.NotEmpty(facets[key]);
        foreach (var entry in facets[key])
        {
            var (value, count) = (entry.Split('=')[0], int.Parse(entry.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture));
            var hits = await _client.GetFromJsonAsync<List<JsonElement>>(
                new Uri($"/api/search?{query}&top=100&filter={key}={Uri.EscapeDataString(value)}", UriKind.Relative), Ct);
            Assert.Equal(count, hits!.Count);
        }
    }

    [Theory]
    [InlineData("/api/facets?q=red&mode=fuzzy", HttpStatusCode.BadRequest, "mode must be hybrid", "mode")]
    [InlineData("/api/facets?q=red&filter=size=M", HttpStatusCode.BadRequest, "filter key 'size' is unknown", "filter")]
    [InlineData("/api/facets", HttpStatusCode.BadRequest, "give a text query", "q")]
    [InlineData("/api/facets?similar=NOPE", HttpStatusCode.BadRequest, "product 'NOPE' is not in collection", "similar")]
    [InlineData("/api/facets?q=red&collection=nope", HttpStatusCode.NotFound, "collection 'nope' does not exist", "collection")]
    public async Task Facets_BadRequest_IsProblemDetailsNamingTheParameter(string url, HttpStatusCode status, string reason, string parameter)
    {
        var response = await _client.GetAsync(new Uri(url, UriKind.Relative), Ct);

        Assert.Equal(status, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Facets_WhenAnApiKeyIsConfigured_RequireIt()
    {
        await using var factory = new SearchApiFactory(apiKey: "s3cret-key");
        using var client = factory.CreateClient();
        await factory.SeedAsync();

        await SearchApiTests.AssertProblemAsync(
            await client.GetAsync(new Uri("/api/facets?q=red", UriKind.Relative), Ct), HttpStatusCode.Unauthorized, "X-Api-Key");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/facets?q=red", UriKind.Relative));
        request.Headers.Add("X-Api-Key", "s3cret-key");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request, Ct)).StatusCode);
        var config = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/config", UriKind.Relative), Ct);
        Assert.True(config.GetProperty("apiKeyRequired").GetBoolean());
    }

    /// <summary>Each facet as "value=count" entries in the answer's order.</summary>
    private async Task<Dictionary<string, string[]>> GetFacetsAsync(string url)
    {
        var response = await _client.GetAsync(new Uri(url, UriKind.Relative), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(100, body.GetProperty("candidates").GetInt32());
        return body.GetProperty("facets").EnumerateArray().ToDictionary(
            f => f.GetProperty("key").GetString()!,
            f => f.GetProperty("values").EnumerateArray()
                .Select(v => $"{v.GetProperty("value").GetString()}={v.GetProperty("count").GetInt32()}").ToArray());
    }
}
