using System.Text;
using Gme.Core.Errors;
using Gme.Sources;
using Gme.Tests.Support;

namespace Gme.Tests.Ingest;

public sealed class CsvDatasetSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ReadRows_QuotedFields_UnescapesQuotesAndKeepsCommasAndNewlines()
    {
        var path = _temp.Write("c.csv",
            "id,name,description\n" +
            "1,\"Dress, red\",\"She said \"\"hi\"\"\"\n" +
            "2,\"Two\nlines\",\"CRLF\r\ninside\"\n");

        var rows = await SourceRows.ReadAllAsync(new CsvDatasetSource(path));

        Assert.Equal(2, rows.Count);
        Assert.Equal("Dress, red", rows[0].Fields["name"]);
        Assert.Equal("She said \"hi\"", rows[0].Fields["description"]);
        Assert.Equal("Two\nlines", rows[1].Fields["name"]);
        Assert.Equal("CRLF\r\ninside", rows[1].Fields["description"]);
        Assert.Equal([1L, 2L], rows.Select(r => r.RowNumber));
    }

    [Fact]
    public async Task ReadRows_CrlfLineEndsAndBom_ReadCleanly()
    {
        var path = _temp.File("bom.csv");
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("product_id,name\r\nA1,Shirt\r\nA2,Skirt\r\n")).ToArray();
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        var rows = await SourceRows.ReadAllAsync(new CsvDatasetSource(path));

        Assert.Equal(2, rows.Count);
        Assert.Equal(["product_id", "name"], rows[0].Fields.Keys);
        Assert.Equal("A1", rows[0].Fields["product_id"]);
        Assert.Equal("Skirt", rows[1].Fields["name"]);
    }

    [Fact]
    public async Task ReadRows_ShortRow_YieldsParseErrorAndContinues()
    {
        var path = _temp.Write("short.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");

        var rows = await SourceRows.ReadAllAsync(new CsvDatasetSource(path));

        Assert.Equal(3, rows.Count);
        Assert.Null(rows[0].ParseError());
        Assert.StartsWith("row has 2 fields, header has 3", rows[1].ParseError());
        Assert.Equal(2, rows[1].RowNumber);
        Assert.Equal("8", rows[2].Fields["c"]);
        Assert.Equal(3, rows[2].RowNumber);
    }

    [Fact]
    public async Task ReadRows_UnterminatedQuoteAtEnd_YieldsParseError()
    {
        var path = _temp.Write("open.csv", "a,b\n1,2\n3,\"never closed\n4,5\n");

        var rows = await SourceRows.ReadAllAsync(new CsvDatasetSource(path));

        Assert.Equal(2, rows.Count);
        Assert.Equal("2", rows[0].Fields["b"]);
        Assert.Contains("unterminated quoted field starting on line 3", rows[1].ParseError());
    }

    [Fact]
    public async Task ReadRows_BlankLinesAndNoFinalNewline_SkipsBlanksAndReadsLastRow()
    {
        var path = _temp.Write("blank.csv", "a,b\n\n1,2\r\n\r\n3,4");

        var rows = await SourceRows.ReadAllAsync(new CsvDatasetSource(path));

        Assert.Equal(2, rows.Count);
        Assert.Equal("4", rows[1].Fields["b"]);
        Assert.Equal(2, rows[1].RowNumber);
    }

    [Fact]
    public async Task ReadRows_EmptyFieldsAndDuplicateHeader_AreKept()
    {
        var path = _temp.Write("dup.csv", "id,name,name,\n1,,\"\",x\n");

        var rows = await SourceRows.ReadAllAsync(new CsvDatasetSource(path));

        var row = Assert.Single(rows);
        Assert.Equal(["id", "name", "name_2", "column_4"], row.Fields.Keys);
        Assert.Equal("", row.Fields["name"]);
        Assert.Equal("x", row.Fields["column_4"]);
    }

    [Fact]
    public async Task ReadRows_FieldsLongerThanTheReadBuffer_KeepEscapesAcrossBufferEdges()
    {
        // 160k characters of escaped quotes put quote pairs on every possible position of the 64k read buffer.
        var content = string.Concat(Enumerable.Repeat("ab\"\"", 40_000));
        var expected = content.Replace("\"\"", "\"", StringComparison.Ordinal);
        var sb = new StringBuilder("id,text\r\n");
        for (var i = 0; i < 3; i++)
        {
            sb.Append(i).Append(",\"").Append(content).Append("\"\r\n");
        }

        var path = _temp.Write("long.csv", sb.ToString());

        var rows = await SourceRows.ReadAllAsync(new CsvDatasetSource(path));

        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(expected, r.Fields["text"]));
        Assert.Equal("2", rows[2].Fields["id"]);
    }

    [Fact]
    public async Task ReadRows_EmptyFile_IsRefusedAsBadInputNamingTheFile()
    {
        var path = _temp.Write("empty.csv", "");

        var ex = await Assert.ThrowsAsync<BadInputException>(() => SourceRows.ReadAllAsync(new CsvDatasetSource(path)));

        Assert.Equal(path, ex.Input);
        Assert.Contains("empty", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadRows_InvalidUtf8InARow_RejectsThatRowWithTheByteOffset()
    {
        var path = _temp.File("bad.csv");
        byte[] bytes = [.. "id,name\n1,ok\n2,b"u8, 0xFF, .. "d\n3,ok\n"u8];
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        var rows = await SourceRows.ReadAllAsync(new CsvDatasetSource(path));

        Assert.Equal(3, rows.Count);
        Assert.Equal("invalid UTF-8 byte at offset 16 (line 3)", rows[1].ParseError());
        Assert.Equal("ok", rows[2].Fields["name"]);
    }

    [Fact]
    public void BaseDirectory_IsTheFilesFolder()
    {
        var path = _temp.Write("x.csv", "a\n");

        Assert.Equal(_temp.Path, new CsvDatasetSource(path).BaseDirectory);
    }
}
