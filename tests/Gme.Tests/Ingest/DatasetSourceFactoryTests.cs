using Gme.Core.Errors;
using Gme.Core.Sources;
using Gme.Sources;
using Gme.Sources.Sample;
using Gme.Tests.Support;

namespace Gme.Tests.Ingest;

public sealed class DatasetSourceFactoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DatasetSourceFactory _factory = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("a.csv", typeof(CsvDatasetSource))]
    [InlineData("a.JSONL", typeof(JsonlDatasetSource))]
    [InlineData("a.ndjson", typeof(JsonlDatasetSource))]
    [InlineData("a.json", typeof(JsonlDatasetSource))]
    [InlineData("a.parquet", typeof(ParquetDatasetSource))]
    public void Open_File_PicksSourceByExtension(string name, Type expected)
    {
        var path = _temp.Write(name, "");

        var source = _factory.Open(new SourceSpec { Kind = "file", Location = path });

        Assert.IsType(expected, source);
    }

    [Fact]
    public void Open_UnsupportedExtension_ThrowsWithTheTypesToUse()
    {
        var path = _temp.Write("a.xyz", "");

        var ex = Assert.Throws<BadInputException>(() => _factory.Open(new SourceSpec { Kind = "file", Location = path }));

        Assert.Equal($"{path}: unsupported catalogue file type '.xyz' (use .csv, .jsonl or .parquet)", ex.Message);
    }

    [Fact]
    public void Open_MissingFile_ThrowsBadInputWithPath()
    {
        var path = _temp.File("nope.csv");

        var ex = Assert.Throws<BadInputException>(() => _factory.Open(new SourceSpec { Kind = "file", Location = path }));

        Assert.Equal(path, ex.Input);
        Assert.Equal($"{path}: file not found", ex.Message);
    }

    [Fact]
    public async Task Open_Sample_YieldsRequestedCount()
    {
        var source = _factory.Open(new SourceSpec { Kind = "Sample", SampleProducts = 12 });

        Assert.IsType<SampleDatasetSource>(source);
        Assert.Equal(12, (await SourceRows.ReadAllAsync(source)).Count);
    }

    [Fact]
    public void Open_HuggingFaceWithoutHubClient_SaysWhatIsMissing()
    {
        var ex = Assert.Throws<NotSupportedException>(() => _factory.Open(new SourceSpec { Kind = "hf", Location = "Qdrant/hm_ecommerce_products" }));

        Assert.Contains("Hub client", ex.Message);
    }
}
