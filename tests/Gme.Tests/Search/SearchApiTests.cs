using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gme.Tests.Search;

public sealed class SearchApiTests : IAsyncLifetime
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
    public async Task Search_Text_ReturnsNearestFirstInTheCliShape()
    {
        var hits = await GetHitsAsync("/api/search?q=red+dress&top=3");

        Assert.Equal(3, hits.Count);
        Assert.Equal("P1", hits[0].GetProperty("productId").GetString());
        Assert.True(hits[0].GetProperty("score").GetSingle() >= hits[1].GetProperty("score").GetSingle());
        var payload = hits[0].GetProperty("payload");
        Assert.Equal("Red", payload.GetProperty("colour").GetString());
        Assert.False(payload.TryGetProperty("gme_product_id", out _));
    }

    [Fact]
    public async Task Search_Filters_KeepOnlyMatchingProducts()
    {
        var hits = await GetHitsAsync("/api/search?q=red+dress&top=10&filter=product_type=Shirt");

        Assert.Equal(["P3", "P4"], hits.Select(h => h.GetProperty("productId").GetString()).Order());
    }

    [Fact]
    public async Task Search_SimilarTo_ExcludesTheProductItself()
    {
        var hits = await GetHitsAsync("/api/search?similar=P1&top=2");

        Assert.Equal("P6", hits[0].GetProperty("productId").GetString());
        Assert.DoesNotContain(hits, h => h.GetProperty("productId").GetString() == "P1");
    }

    [Theory]
    [InlineData("/api/search?q=red&top=101", "top must be between 1 and 100")]
    [InlineData("/api/search?q=red&top=0", "top must be between 1 and 100")]
    [InlineData("/api/search", "give a text query")]
    [InlineData("/api/search?q=red&filter=colour", "filter 'colour' is not key=value")]
    [InlineData("/api/search?similar=NOPE", "product 'NOPE' is not in collection")]
    public async Task Search_BadRequest_Is400ProblemDetailsSayingWhy(string url, string reason)
    {
        var response = await _client.GetAsync(new Uri(url, UriKind.Relative), Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, reason);
    }

    [Fact]
    public async Task Search_QueryTooLong_Is400()
    {
        var response = await _client.GetAsync(new Uri($"/api/search?q={new string('a', 501)}", UriKind.Relative), Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "longer than 500 characters");
    }

    [Fact]
    public async Task SearchByImage_Upload_FindsTheMatchingProduct()
    {
        using var form = ImageForm(SolidPng(0, 0, 255), "image/png");
        var response = await _client.PostAsync(new Uri("/api/search/image", UriKind.Relative), form, Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var hits = await response.Content.ReadFromJsonAsync<List<JsonElement>>(Ct);
        Assert.Equal(["P2", "P5"], hits!.Take(2).Select(h => h.GetProperty("productId").GetString()).Order());
    }

    [Fact]
    public async Task SearchByImage_TooLarge_Is413()
    {
        using var form = ImageForm(new byte[5000], "image/jpeg");
        var response = await _client.PostAsync(new Uri("/api/search/image", UriKind.Relative), form, Ct);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "larger than 4096 bytes");
    }

    [Fact]
    public async Task SearchByImage_NotAnImageOrMissing_Is415Or400()
    {
        using var text = ImageForm(Encoding.UTF8.GetBytes("red"), "text/plain");
        await AssertProblemAsync(await _client.PostAsync(new Uri("/api/search/image", UriKind.Relative), text, Ct), HttpStatusCode.UnsupportedMediaType, "must be an image");

        using var empty = new MultipartFormDataContent { { new StringContent("5"), "top" } };
        await AssertProblemAsync(await _client.PostAsync(new Uri("/api/search/image", UriKind.Relative), empty, Ct), HttpStatusCode.BadRequest, "no 'image' file");
    }

    [Fact]
    public async Task ProductImage_CachedOrUnknown_ServesJpegOr404()
    {
        var image = await _client.GetAsync(new Uri("/api/products/P1/image", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/jpeg", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0xFF, 0xD8, 0xFF, 0xD9], await image.Content.ReadAsByteArrayAsync(Ct));

        await AssertProblemAsync(await _client.GetAsync(new Uri("/api/products/P2/image", UriKind.Relative), Ct), HttpStatusCode.NotFound, "no cached image");
    }

    [Fact]
    public async Task Page_Root_ServesTheSearchPageAndScript()
    {
        var html = await _client.GetStringAsync(new Uri("/", UriKind.Relative), Ct);
        Assert.Contains("id=\"search-form\"", html, StringComparison.Ordinal);
        var script = await _client.GetAsync(new Uri("/app.js", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        var config = await _client.GetFromJsonAsync<JsonElement>(new Uri("/api/config", UriKind.Relative), Ct);
        Assert.Equal(100, config.GetProperty("maxTop").GetInt32());
    }

    [Fact]
    public async Task ApiKey_WhenConfigured_IsRequiredOnSearch()
    {
        await using var factory = new SearchApiFactory(apiKey: "s3cret-key");
        using var client = factory.CreateClient();
        await factory.SeedAsync();

        var without = await client.GetAsync(new Uri("/api/search?q=red", UriKind.Relative), Ct);
        await AssertProblemAsync(without, HttpStatusCode.Unauthorized, "X-Api-Key");

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/search?q=red", UriKind.Relative));
        request.Headers.Add("X-Api-Key", "s3cret-key");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request, Ct)).StatusCode);
    }

    [Fact]
    public async Task Search_ModelUnavailable_Is503ProblemDetailsWithRetryAfter()
    {
        await using var factory = new SearchApiFactory(embeddingUnavailable: true);
        using var client = factory.CreateClient();
        await factory.SeedAsync();

        var text = await client.GetAsync(new Uri("/api/search?q=red+dress", UriKind.Relative), Ct);
        using var form = ImageForm(SolidPng(0, 0, 255), "image/png");
        var image = await client.PostAsync(new Uri("/api/search/image", UriKind.Relative), form, Ct);

        foreach (var response in new[] { text, image })
        {
            await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "could not embed the query");
            Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        }

        // "Similar to" needs no query embedding, so it still answers.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/search?similar=P1", UriKind.Relative), Ct)).StatusCode);
    }

    internal static byte[] SolidPng(byte r, byte g, byte b) =>
        Gme.Tests.Ingest.TestImages.Png(16, 16, image =>
        {
            for (var y = 0; y < image.Height; y++)
            {
                for (var x = 0; x < image.Width; x++)
                {
                    image[x, y] = new SixLabors.ImageSharp.PixelFormats.Rgba32(r, g, b, 255);
                }
            }
        });

    internal static MultipartFormDataContent ImageForm(byte[] bytes, string contentType)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new MultipartFormDataContent { { file, "image", "query.jpg" }, { new StringContent("3"), "top" } };
    }

    private async Task<List<JsonElement>> GetHitsAsync(string url)
    {
        var response = await _client.GetAsync(new Uri(url, UriKind.Relative), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<List<JsonElement>>(Ct))!;
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
