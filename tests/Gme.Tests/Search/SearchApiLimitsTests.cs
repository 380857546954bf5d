using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gme.Tests.Ingest;
using Gme.Tests.Support;

namespace Gme.Tests.Search;

/// <summary>
/// Every bad search request is a 4xx ProblemDetails naming the parameter (never a 500, a bare status or a silent
/// empty list), and an uploaded photo takes the ingest checks before any decoding.
/// </summary>
public sealed class SearchApiLimitsTests : IAsyncLifetime
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

    [Theory]
    [InlineData("/api/search?q=red&top=abc", "top", "top must be a whole number between 1 and 100 (got 'abc')")]
    [InlineData("/api/search?q=red&top=1e9", "top", "top must be a whole number between 1 and 100 (got '1e9')")]
    [InlineData("/api/search?q=red&top=99999999999", "top", "top must be a whole number")]
    [InlineData("/api/search?q=red&top=-3", "top", "top must be between 1 and 100 (got -3)")]
    [InlineData("/api/search?q=red&filter=size=M", "filter", "filter key 'size' is unknown; filterable keys: product_type, product_group, colour, department")]
    [InlineData("/api/search?q=red&filter=Colour=Red", "filter", "filter key 'Colour' is unknown")]
    [InlineData("/api/search?q=red&filter=colour", "filter", "filter 'colour' is not key=value")]
    [InlineData("/api/search?similar=NOPE", "similar", "product 'NOPE' is not in collection")]
    public async Task Search_BadParameter_Is400ProblemDetailsNamingIt(string url, string parameter, string reason)
    {
        var response = await _client.GetAsync(new Uri(url, UriKind.Relative), Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, parameter, reason);
    }

    [Fact]
    public async Task Search_VeryLongQuery_Is400ProblemDetailsNamingQ()
    {
        // Near System.Uri's own limit; on Kestrel, request lines up to SearchServiceExtensions.MaxRequestLineBytes get here too.
        var response = await _client.GetAsync(new Uri($"/api/search?q={new string('a', 60_000)}", UriKind.Relative), Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "q", "q: the query is longer than 500 characters");
    }

    public static TheoryData<string, byte[], string, HttpStatusCode, string> BadUploads => new()
    {
        { "20000x20000 PNG header", HostileImages.PngHeader(20_000, 20_000), "image/png", HttpStatusCode.RequestEntityTooLarge, "over the pixel budget" },
        { "65535x65535 PNG header", HostileImages.PngHeader(65_535, 65_535), "image/png", HttpStatusCode.RequestEntityTooLarge, "over the pixel budget" },
        { "truncated PNG", TruncatedPng(), "image/png", HttpStatusCode.BadRequest, "'image' is damaged or truncated" },
        { "text sent as image/jpeg", Encoding.UTF8.GetBytes("blue shoe, honest"), "image/jpeg", HttpStatusCode.UnsupportedMediaType, "is not a JPEG, PNG, GIF or WebP image" },
        { "HTML sent as image/png", Encoding.UTF8.GetBytes("<!DOCTYPE html><html></html>"), "image/png", HttpStatusCode.UnsupportedMediaType, "is not a JPEG, PNG, GIF or WebP image" },
        { "body over MaxImageBytes", new byte[5000], "image/jpeg", HttpStatusCode.RequestEntityTooLarge, "larger than 4096 bytes" },
    };

    /// <summary>A real photo cut in the middle of its pixel data (IHDR intact, so the header check passes).</summary>
    private static byte[] TruncatedPng()
    {
        var png = TestImages.Png(40, 30);
        return png[..(png.Length / 2)];
    }

    [Theory]
    [MemberData(nameof(BadUploads))]
    public async Task SearchByImage_BadUpload_Is4xxProblemDetailsNamingImage(string name, byte[] bytes, string type, HttpStatusCode status, string reason)
    {
        using var form = SearchApiTests.ImageForm(bytes, type);
        var response = await _client.PostAsync(new Uri("/api/search/image", UriKind.Relative), form, Ct);

        Assert.True(response.StatusCode == status, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        await AssertProblemAsync(response, status, "image", reason);
    }

    [Fact]
    public async Task SearchByImage_BadTopInTheForm_Is400NamingTop()
    {
        using var form = SearchApiTests.ImageForm(SearchApiTests.SolidPng(255, 0, 0), "image/png");
        form.Add(new StringContent("lots"), "top");

        var response = await _client.PostAsync(new Uri("/api/search/image", UriKind.Relative), form, Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "top", "top must be a whole number");
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string parameter, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
    }
}

/// <summary>
/// Decompression bombs uploaded to POST /api/search/image are refused from the header: the server allocates a few
/// megabytes for them, not the gigabytes decoding would take (the test model decodes whatever reaches it, uncapped,
/// as a real image encoder would).
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class SearchUploadMemoryTests
{
    private const long Bound = 200L * 1024 * 1024;

    [Fact]
    public async Task SearchByImage_DecompressionBombs_AllocateUnderTheBound()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var factory = new SearchApiFactory(maxImageBytes: 4 * 1024 * 1024);
        using var client = factory.CreateClient();
        await factory.SeedAsync();

        // 12000 x 12000 RGB: a ~420 KB file that decodes to 432 MB (Rgb24), 576 MB as Rgba32.
        var bomb = HostileImages.PngBomb(12_000, 12_000);
        using (var warm = SearchApiTests.ImageForm(SearchApiTests.SolidPng(0, 255, 0), "image/png"))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(new Uri("/api/search/image", UriKind.Relative), warm, ct)).StatusCode);
        }

        var heldBefore = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetBefore;
        using (var before = Process.GetCurrentProcess())
        {
            workingSetBefore = before.WorkingSet64;
        }

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var form = SearchApiTests.ImageForm(bomb, "image/png");
            statuses.Add((await client.PostAsync(new Uri("/api/search/image", UriKind.Relative), form, ct)).StatusCode);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        using var process = Process.GetCurrentProcess();
        var workingSetGrowth = process.WorkingSet64 - workingSetBefore;
        var heldGrowth = GC.GetTotalMemory(forceFullCollection: true) - heldBefore;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"3 bomb uploads of {bomb.Length} bytes: allocated {allocated / 1024 / 1024} MB, working set +{workingSetGrowth / 1024 / 1024} MB, held +{heldGrowth / 1024 / 1024} MB");
        Assert.True(allocated < Bound, $"allocated {allocated / 1024 / 1024} MB for 3 bomb uploads");
        Assert.True(workingSetGrowth < Bound, $"working set grew {workingSetGrowth / 1024 / 1024} MB");
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status));
    }
}
