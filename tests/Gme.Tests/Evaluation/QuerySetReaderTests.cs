using Gme.Core.Errors;
using Gme.Pipeline.Evaluation;
using Gme.Tests.Ingest;
using Gme.Tests.Support;

namespace Gme.Tests.Evaluation;

public sealed class QuerySetReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Jsonl_JudgmentIdsAndImage()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "q.jsonl");
        await File.WriteAllLinesAsync(path,
        [
            """{"query": "black dress", "judge": "product_type=Dress, perceived_colour_master=Black|Grey"}""",
            "# a comment",
            "",
            """{"query": "lola", "relevant": ["0108775015", "0108775044"]}""",
            """{"image": "photos/a.jpg", "relevant": ["1"]}""",
        ], Ct);

        var queries = await QuerySetReader.ReadAsync(path, Ct);

        Assert.Equal(3, queries.Count);
        var judgment = queries[0].Judgment!;
        Assert.True(judgment.Matches(new Dictionary<string, string?> { ["product_type"] = "Dress", ["perceived_colour_master"] = "Grey" }));
        Assert.False(judgment.Matches(new Dictionary<string, string?> { ["product_type"] = "Dress", ["perceived_colour_master"] = "Blue" }));
        Assert.False(judgment.Matches(new Dictionary<string, string?> { ["product_type"] = "Dress" }));
        Assert.Equal(["0108775015", "0108775044"], queries[1].RelevantIds);
        Assert.Equal(Path.Combine(dir.Path, "photos", "a.jpg"), queries[2].ImagePath);
        Assert.Null(queries[2].Text);
    }

    [Fact]
    public async Task Tsv_JudgmentOrIds()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "q.tsv");
        await File.WriteAllLinesAsync(path, ["red dress\tproduct_type=Dress, colour=Red", "lola\tA1, A2", "image:x.png\tB"], Ct);

        var queries = await QuerySetReader.ReadAsync(path, Ct);

        Assert.Equal("product_type=Dress, colour=Red", queries[0].Judgment!.ToString());
        Assert.Equal(["A1", "A2"], queries[1].RelevantIds);
        Assert.EndsWith("x.png", queries[2].ImagePath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"query": "x"}""", "relevant ids or a judgment")]
    [InlineData("""{"judge": "a=b"}""", "text or an image")]
    [InlineData("""{"query": "x", "judge": "colour"}""", "not key=value")]
    [InlineData("""[1]""", "JSON object")]
    [InlineData("""{"query": """, "q.jsonl:2")]
    public async Task MalformedLine_IsBadInputNamingFileAndLine(string line, string expected)
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "q.jsonl");
        await File.WriteAllLinesAsync(path, ["""{"query": "ok", "judge": "a=b"}""", line], Ct);

        var error = await Assert.ThrowsAsync<BadInputException>(() => QuerySetReader.ReadAsync(path, Ct));

        Assert.Contains("q.jsonl:2", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShippedSets_AreValid_HmSampleHasAtLeast60Queries()
    {
        var root = RepositoryRoot.Find();
        var hm = await QuerySetReader.ReadAsync(Path.Combine(root, "eval", "hm-sample.jsonl"), Ct);
        var sample = await QuerySetReader.ReadAsync(Path.Combine(root, "eval", "sample.jsonl"), Ct);

        Assert.True(hm.Count >= 60, $"{hm.Count} queries");
        Assert.All(hm, q => Assert.NotNull(q.Judgment));
        Assert.Equal(hm.Count, hm.Select(q => q.Text).Distinct(StringComparer.Ordinal).Count());
        Assert.NotEmpty(sample);
    }
}
