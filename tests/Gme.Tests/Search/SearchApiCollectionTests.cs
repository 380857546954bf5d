using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gme.Core.Ledger;
using Gme.Core.Vectors;
using Gme.Pipeline.Stages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Search;

/// <summary>
/// Issue 13 item 2, the API side of named catalogues: GET /api/collections lists the catalogues with their points and
/// the version behind an alias; every search and the product photo pick one with <c>collection</c> (default
/// Gme:Collection, which /api/config names); an unknown one is a 404 naming the parameter.
/// </summary>
public sealed class SearchApiCollectionTests : IAsyncLifetime
{
    private readonly SearchApiFactory _factory = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = _factory.CreateClient();
        await _factory.SeedAsync();

        // A second catalogue, "boots", whose live version is boots__v1 behind the alias (as index versions make it).
        var store = _factory.Services.GetRequiredService<IVectorStore>();
        var spec = await store.GetCollectionAsync("products", Ct);
        await store.EnsureCollectionAsync(spec! with { Name = "boots__v1" }, Ct);
        await store.UpsertAsync("boots__v1",
        [
            Point("B1", "blue boot", "Blue", "Boot"),
            Point("B2", "red boot", "Red", "Boot"),
        ], Ct);
        await store.SetAliasAsync("boots", "boots__v1", Ct);
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContextAsync(Ct);
        foreach (var collection in new[] { "products", "boots", "gone" })
        {
            db.Runs.Add(RunEntity.Start(Guid.NewGuid(), "{}", collection, "local", "m", collection, DateTime.UtcNow));
        }

        await db.SaveChangesAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Collections_ListsEachCatalogueInTheIndexWithItsPointsAndLiveVersion()
    {
        var list = await _client.GetFromJsonAsync<List<JsonElement>>(new Uri("/api/collections", UriKind.Relative), Ct);

        // "gone" has runs but nothing in the index: not listed.
        Assert.Equal(
            [("boots", 2L, "boots__v1"), ("products", SearchApiFactory.Catalogue.Length, null)],
            list!.Select(c => (c.GetProperty("name").GetString(), c.GetProperty("points").GetInt64(),
                c.GetProperty("live").ValueKind == JsonValueKind.Null ? null : c.GetProperty("live").GetString())).ToList());
    }

    [Fact]
    public async Task Search_Collection_AnswersFromThatCatalogueOnly()
    {
        var boots = await HitsAsync("/api/search?q=red+dress&top=10&collection=boots");
        Assert.Equal(["B1", "B2"], boots.Order());

        var products = await HitsAsync("/api/search?q=red+boot&top=10");
        Assert.NotEmpty(products);
        Assert.DoesNotContain(products, id => id.StartsWith('B'));
        Assert.Equal(products, await HitsAsync("/api/search?q=red+boot&top=10&collection=products"));

        using var form = SearchApiTests.ImageForm(SearchApiTests.SolidPng(0, 0, 255), "image/png");
        var response = await _client.PostAsync(new Uri("/api/search/image?collection=boots", UriKind.Relative), form, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var byImage = await response.Content.ReadFromJsonAsync<List<JsonElement>>(Ct);
        Assert.Equal(["B1", "B2"], byImage!.Select(h => h.GetProperty("productId").GetString()).Order());
    }

    [Theory]
    [InlineData("/api/search?q=red&collection=shoes")]
    [InlineData("/api/search?q=red&collection=gone")]
    [InlineData("/api/search?q=red&collection=..%2Fproducts")]
    public async Task Search_UnknownCollection_Is404NamingTheParameter(string url)
    {
        var response = await _client.GetAsync(new Uri(url, UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("does not exist", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("collection", problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task SearchByImage_UnknownCollection_Is404()
    {
        using var form = SearchApiTests.ImageForm(SearchApiTests.SolidPng(0, 0, 255), "image/png");
        var response = await _client.PostAsync(new Uri("/api/search/image?collection=shoes", UriKind.Relative), form, Ct);

        await SearchApiTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "collection 'shoes' does not exist");
    }

    [Fact]
    public async Task ConfigAndPhoto_NameAndUseTheDefaultCollection()
    {
        var config = await _client.GetFromJsonAsync<JsonElement>(new Uri("/api/config", UriKind.Relative), Ct);
        Assert.Equal("products", config.GetProperty("collection").GetString());

        // P1's photo is the "products" catalogue's; "boots" has no P1.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(new Uri("/api/products/P1/image", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(new Uri("/api/products/P1/image?collection=boots", UriKind.Relative), Ct)).StatusCode);
    }

    private async Task<List<string>> HitsAsync(string url)
    {
        var response = await _client.GetAsync(new Uri(url, UriKind.Relative), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var hits = await response.Content.ReadFromJsonAsync<List<JsonElement>>(Ct);
        return hits!.Select(h => h.GetProperty("productId").GetString()!).ToList();
    }

    private static VectorPoint Point(string id, string name, string colour, string type) => new(
        PointIds.FromProductId(id),
        new Dictionary<string, float[]> { ["text"] = WordEmbeddingProvider.Embed(name), ["image"] = WordEmbeddingProvider.Embed(name) },
        PointPayload.Build(id, $$"""{"name":"{{name}}","colour":"{{colour}}","product_type":"{{type}}"}"""));
}
