using Gme.Sources;
using Gme.Tests.Support;

namespace Gme.Tests.Ingest;

public sealed class JsonlDatasetSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ReadRows_ValueKinds_AreTextStringsRawJsonOrNull()
    {
        var path = _temp.Write("p.jsonl",
            """{"id":"0108775015","n":42,"f":1.50,"b":true,"z":null,"arr":[1, 2],"obj":{"a":"x"}}""" + "\n");

        var row = Assert.Single(await SourceRows.ReadAllAsync(new JsonlDatasetSource(path)));

        Assert.Equal("0108775015", row.Fields["id"]);
        Assert.Equal("42", row.Fields["n"]);
        Assert.Equal("1.50", row.Fields["f"]);
        Assert.Equal("true", row.Fields["b"]);
        Assert.Null(row.Fields["z"]);
        Assert.Equal("[1, 2]", row.Fields["arr"]);
        Assert.Equal("""{"a":"x"}""", row.Fields["obj"]);
    }

    [Fact]
    public async Task ReadRows_InvalidAndBlankLines_YieldParseErrorAndContinue()
    {
        var path = _temp.Write("bad.jsonl", "{\"id\":\"1\"}\n\n   \n{\"id\": oops}\n[1,2]\r\n{\"id\":\"4\"}");

        var rows = await SourceRows.ReadAllAsync(new JsonlDatasetSource(path));

        Assert.Equal(4, rows.Count);
        Assert.Equal([1L, 2L, 3L, 4L], rows.Select(r => r.RowNumber));
        Assert.Equal("1", rows[0].Fields["id"]);
        Assert.Contains("line 4 is not valid JSON", rows[1].ParseError());
        Assert.Contains("not an object", rows[2].ParseError());
        Assert.Equal("4", rows[3].Fields["id"]);
    }
}
