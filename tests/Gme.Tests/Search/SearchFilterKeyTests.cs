using Gme.Cli.Hosting;
using Gme.Pipeline.Search;

namespace Gme.Tests.Search;

/// <summary>
/// `gme search --filter` and the API share one check (<see cref="SearchFilters"/>): an unknown key ends the CLI with
/// exit 2 and one line naming the key and the known ones, where it used to answer "No results.".
/// </summary>
public sealed class SearchFilterKeyTests
{
    private static readonly string[] s_known = ["product_type", "colour"];

    [Fact]
    public void UnknownKey_CliExitsTwoNamingTheKeyAndTheKnownOnes()
    {
        var ex = Assert.Throws<SearchException>(() => SearchFilters.Parse(["colour=Red", "badkey=x"], s_known));

        var outcome = CliOutcome.FromException(ex);

        Assert.Equal(new CliOutcome(2, "error: filter key 'badkey' is unknown; filterable keys: product_type, colour."), outcome);
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=x")]
    public void NotKeyValue_IsRefusedNamingTheFilter(string filter)
    {
        var ex = Assert.Throws<SearchException>(() => SearchFilters.Parse([filter], s_known));

        Assert.Equal($"filter '{filter}' is not key=value.", ex.Message);
    }

    [Fact]
    public void KnownKeys_AreParsedTrimmed()
    {
        var parsed = SearchFilters.Parse([" colour = Red ", "product_type=Dress"], s_known);

        Assert.Equal([new("colour", "Red"), new("product_type", "Dress")], parsed);
    }
}
