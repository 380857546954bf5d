using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gme.Pipeline.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gme.Pipeline.Tests;

/// <summary>
/// The search page in Debian's Chromium (/usr/bin/chromium, installed by .ci/run; Playwright's own browser download
/// cannot work offline) against `gme serve` over the indexed sample: a search by URL, a facet click, the back and
/// forward buttons, "more like this", the legs on hover, and search by an uploaded photo. What the page shows is
/// compared with what the API answers for the same search.
/// </summary>
[Collection(SearchServiceCollection.Name)]
public sealed class SearchPageBrowserTests(SearchServiceFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SearchPage_UrlFacetBackAndMoreLikeThis_RestoreTheSearchAndItsResults()
    {
        RequireChromium();
        using var http = new HttpClient { BaseAddress = fixture.BaseUrl };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var cards = page.Locator(".product");

        // A search by URL: the form shows it and the results are the API's.
        await page.GotoAsync(new Uri(fixture.BaseUrl, "/?q=red%20dress&top=10").ToString());
        var plain = await ApiHitsAsync(http, "q=red%20dress&top=10");
        await ExpectResultsAsync(page, plain);
        await Expect(page.Locator("#q")).ToHaveValueAsync("red dress");
        await Expect(page.Locator("#top")).ToHaveValueAsync("10");
        await Expect(page.Locator("#key-row")).ToBeHiddenAsync();
        var collections = await http.GetAsync(new Uri("/api/collections", UriKind.Relative), Ct);
        await Expect(page.Locator("#collection-row")).ToBeVisibleAsync(new() { Visible = collections.StatusCode == HttpStatusCode.OK });

        // Each hit says which legs found it, on hover.
        var legs = plain[0].GetProperty("legs").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.NotEmpty(legs);
        var badge = cards.First.Locator(".legs");
        await badge.HoverAsync();
        var title = await badge.GetAttributeAsync("title");
        Assert.All(legs, leg => Assert.Contains(leg, title, StringComparison.Ordinal));

        // A facet click: the colour facet lists the API's counts; ticking one filters the results and the URL.
        var colours = await ApiFacetAsync(http, "q=red%20dress", "colour");
        var (colour, count) = colours.First(c => c.Value != "Red");
        var facet = page.Locator($"#facets input[data-key='colour'][value='{colour}']");
        await Expect(facet.Locator("xpath=..")).ToContainTextAsync($"{colour} ({count})");
        await facet.CheckAsync();
        var filtered = await ApiHitsAsync(http, $"q=red%20dress&top=10&filter=colour={colour}");
        await ExpectResultsAsync(page, filtered);
        Assert.Contains($"filter=colour%3D{colour}", page.Url, StringComparison.Ordinal);
        Assert.All(filtered, h => Assert.Equal(colour, h.GetProperty("payload").GetProperty("colour").GetString()));
        await Expect(page.Locator($"#facets input[data-key='colour'][value='{colour}']")).ToBeCheckedAsync();
        await Expect(page.Locator("#active-filters .chip")).ToContainTextAsync($"colour = {colour}");

        // Back restores the unfiltered search and its results; forward brings the filter back.
        await page.GoBackAsync();
        await ExpectResultsAsync(page, plain);
        Assert.DoesNotContain("filter=", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator($"#facets input[data-key='colour'][value='{colour}']")).Not.ToBeCheckedAsync();
        await page.GoForwardAsync();
        await ExpectResultsAsync(page, filtered);
        await page.GoBackAsync();
        await ExpectResultsAsync(page, plain);

        // More like this, on the second product: the URL says so, the product itself is left out; back returns.
        var second = plain[1].GetProperty("productId").GetString()!;
        await cards.Nth(1).Locator(".more-like-this").ClickAsync();
        var similar = await ApiHitsAsync(http, $"similar={second}&top=10");
        await ExpectResultsAsync(page, similar);
        await Expect(page.Locator("#status")).ToContainTextAsync($"like {second}");
        Assert.Contains($"similar={second}", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(similar, h => h.GetProperty("productId").GetString() == second);
        await page.GoBackAsync();
        await ExpectResultsAsync(page, plain);
        await Expect(page.Locator("#q")).ToHaveValueAsync("red dress");

        // The same URL opened afresh (a shared link) shows the same results.
        var shared = await browser.NewPageAsync();
        await shared.GotoAsync(new Uri(fixture.BaseUrl, $"/?q=red%20dress&top=10&filter=colour%3D{colour}").ToString());
        await ExpectResultsAsync(shared, filtered);
    }

    [Fact]
    public async Task SearchPage_UploadedPhoto_FindsThatProductFirst()
    {
        RequireChromium();
        using var http = new HttpClient { BaseAddress = fixture.BaseUrl };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl.ToString());
        await Expect(page.Locator("body[data-ready='true']")).ToHaveCountAsync(1);

        var photo = Path.Combine(fixture.DataDirectory, "query-photo.jpg");
        await File.WriteAllBytesAsync(photo, await http.GetByteArrayAsync(new Uri("/api/products/S000002/image", UriKind.Relative), Ct), Ct);
        await page.SetInputFilesAsync("#image", photo);
        var cards = page.Locator(".product");
        // The first photo query loads the image model: allow for a cold start on a busy machine.
        await Expect(cards.First).ToHaveAttributeAsync("data-product-id", "S000002", new() { Timeout = 60_000 });
        var photoWidth = await cards.First.Locator("img").EvaluateAsync<int>(
            "img => img.complete ? img.naturalWidth : new Promise(r => img.addEventListener('load', () => r(img.naturalWidth)))");
        Assert.True(photoWidth > 0, "the first product's photo did not load");
    }

    /// <summary>In CI a missing browser fails the test with the fix; elsewhere the test is skipped saying why.</summary>
    private static void RequireChromium()
    {
        if (!File.Exists(Chromium))
        {
            Assert.False(RepoPaths.InCi, $"{Chromium} is missing in CI: .ci/run installs the Debian chromium package (apt-get install -y chromium).");
            Assert.Skip($"{Chromium} is not installed (apt-get install -y chromium).");
        }
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        // Waits are on conditions; the generous limit only matters on a machine shared by many builds.
        SetDefaultExpectTimeout(30_000);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    /// <summary>Waits until the page shows exactly these products, in this order.</summary>
    private static async Task ExpectResultsAsync(IPage page, IReadOnlyList<JsonElement> hits)
    {
        Assert.NotEmpty(hits);
        var expected = string.Join(",", hits.Select(h => h.GetProperty("productId").GetString()));
        try
        {
            await page.WaitForFunctionAsync(
                "expected => [...document.querySelectorAll('.product')].map(c => c.dataset.productId).join(',') === expected",
                expected, new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            var shown = await page.EvaluateAsync<string>("() => [...document.querySelectorAll('.product')].map(c => c.dataset.productId).join(',')");
            Assert.Fail($"the page at {page.Url} shows [{shown}], the API answered [{expected}]");
        }
    }

    private static async Task<List<JsonElement>> ApiHitsAsync(HttpClient http, string query) =>
        (await http.GetFromJsonAsync<List<JsonElement>>(new Uri($"/api/search?{query}", UriKind.Relative), Ct))!;

    private static async Task<List<(string Value, int Count)>> ApiFacetAsync(HttpClient http, string query, string key)
    {
        var body = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/facets?{query}", UriKind.Relative), Ct);
        return body.GetProperty("facets").EnumerateArray()
            .Single(f => f.GetProperty("key").GetString() == key)
            .GetProperty("values").EnumerateArray()
            .Select(v => (v.GetProperty("value").GetString()!, v.GetProperty("count").GetInt32()))
            .ToList();
    }
}
