using System.Net.Http.Json;
using System.Text.Json;
using Gme.Pipeline.Tests.Support;

namespace Gme.Pipeline.Tests;

/// <summary>`gme search --json` and the HTTP API of `gme serve` answer from the same code path.</summary>
[Collection(SearchServiceCollection.Name)]
public sealed class SearchServiceTests(SearchServiceFixture fixture)
{
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("search?q=red%20dress&top=5", new[] { "red dress", "--top", "5" })]
    [InlineData("search?q=shirt&top=7&filter=colour=Blue", new[] { "shirt", "--top", "7", "--filter", "colour=Blue" })]
    [InlineData("search?similar=S000003&top=4", new[] { "--similar", "S000003", "--top", "4" })]
    public async Task SearchCli_AndHttpApi_ReturnTheSameResults(string apiQuery, string[] cliArgs)
    {
        var cli = await CliProcess.RunAsync(s_limit, ["search", .. cliArgs, "--json", "--data-dir", fixture.DataDirectory]);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        using var http = new HttpClient { BaseAddress = fixture.BaseUrl };
        var api = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/{apiQuery}", UriKind.Relative), TestContext.Current.CancellationToken);
        using var cliJson = JsonDocument.Parse(cli.Stdout);

        var fromCli = cliJson.RootElement.EnumerateArray().ToList();
        var fromApi = api.EnumerateArray().ToList();
        Assert.NotEmpty(fromCli);
        Assert.Equal(fromCli.Select(h => h.GetProperty("productId").GetString()), fromApi.Select(h => h.GetProperty("productId").GetString()));
        Assert.Equal(fromCli.Select(h => h.GetProperty("score").GetSingle()), fromApi.Select(h => h.GetProperty("score").GetSingle()));
        Assert.Equal(fromCli.Select(Payload), fromApi.Select(Payload));
    }

    private static string Payload(JsonElement hit) =>
        string.Join("\n", hit.GetProperty("payload").Deserialize<Dictionary<string, string?>>()!.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
