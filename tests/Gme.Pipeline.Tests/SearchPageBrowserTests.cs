using Gme.Pipeline.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gme.Pipeline.Tests;

/// <summary>
/// The search page in Debian's Chromium (/usr/bin/chromium, installed by .ci/run; Playwright's own browser download
/// cannot work offline): search, "more like this", and search by an uploaded photo.
/// </summary>
[Collection(SearchServiceCollection.Name)]
public sealed class SearchPageBrowserTests(SearchServiceFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task SearchPage_SearchMoreLikeThisAndUpload_ShowProductsWithPhotos()
    {
        if (!File.Exists(Chromium))
        {
            Assert.False(RepoPaths.InCi, $"{Chromium} is missing in CI: .ci/run installs the chromium package.");
            Assert.Skip($"{Chromium} is not installed (apt-get install -y chromium).");
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl.ToString());

        // Search.
        await page.FillAsync("#q", "red dress");
        await page.ClickAsync("#search-button");
        var cards = page.Locator(".product");
        await Expect(page.Locator("#status")).ToContainTextAsync("results");
        await Expect(cards).ToHaveCountAsync(20);
        await Expect(cards.First.Locator(".name")).ToContainTextAsync("Red");
        await Expect(cards.First.Locator(".meta")).ToContainTextAsync("score");
        var photoWidth = await cards.First.Locator("img").EvaluateAsync<int>(
            "img => img.complete ? img.naturalWidth : new Promise(r => img.addEventListener('load', () => r(img.naturalWidth)))");
        Assert.True(photoWidth > 0, "the first product's photo did not load");

        // More like this, on the second product.
        var second = await cards.Nth(1).GetAttributeAsync("data-product-id");
        await cards.Nth(1).Locator(".more-like-this").ClickAsync();
        await Expect(page.Locator("#status")).ToContainTextAsync($"like {second}");
        await Expect(page.Locator($".product[data-product-id='{second}']")).ToHaveCountAsync(0);

        // Upload a product's own photo: that product comes first.
        using var http = new HttpClient { BaseAddress = fixture.BaseUrl };
        var photo = Path.Combine(fixture.DataDirectory, "query-photo.jpg");
        await File.WriteAllBytesAsync(photo, await http.GetByteArrayAsync(new Uri("/api/products/S000002/image", UriKind.Relative)));
        await page.FillAsync("#q", "");
        await page.SetInputFilesAsync("#image", photo);
        await Expect(cards.First).ToHaveAttributeAsync("data-product-id", "S000002");
    }
}
