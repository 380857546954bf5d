using Gme.Core.Sources;
using Gme.Sources.Sample;

namespace Gme.Tests.Ingest;

public sealed class SampleCatalogueTests
{
    [Fact]
    public async Task SampleSource_SameCount_YieldsIdenticalRows()
    {
        var first = await SourceRows.ReadAllAsync(new SampleDatasetSource(300));
        var second = await SourceRows.ReadAllAsync(new SampleDatasetSource(300));

        Assert.Equal(300, first.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].RowNumber, second[i].RowNumber);
            Assert.Equal(first[i].Fields, second[i].Fields);
        }
    }

    [Fact]
    public async Task SampleSource_Rows_UseHmColumnsAndStablePortFreeUrls()
    {
        var rows = await SourceRows.ReadAllAsync(new SampleDatasetSource(3));

        Assert.Equal("S000001", rows[0].Fields["product_id"]);
        Assert.Equal(
            ["product_id", "name", "product_type", "product_group", "colour", "department", "description", "image_url"],
            rows[0].Fields.Keys);
        Assert.Equal("http://sample.gme.localhost/images/S000002.jpg", rows[1].Fields["image_url"]);
    }

    [Fact]
    public void Products_ThreeHundred_AreWellSpread()
    {
        var products = SampleCatalogue.Products(300).ToList();

        var redDresses = products.Count(p => p.Colour.Name == "Red" && p.Garment.Name == "Dress");
        var neither = products.Count(p => p.Colour.Name != "Red" && p.Garment.Name != "Dress");
        Assert.InRange(redDresses, 3, 10);
        Assert.True(neither > 200, $"{neither} products are neither red nor a dress");
        Assert.Equal(SampleCatalogue.Colours.Count, products.Select(p => p.Colour).Distinct().Count());
        Assert.Equal(SampleCatalogue.Garments.Count, products.Select(p => p.Garment).Distinct().Count());
        Assert.Equal(4, products.Select(p => p.Pattern).Distinct().Count());
        Assert.Equal(300, products.Select(p => p.Name).Distinct().Count());
    }

    [Fact]
    public void Product_NameAndDescription_MentionColourPatternAndType()
    {
        var product = SampleCatalogue.Products(300).First(p => p.Pattern == SamplePattern.Striped && p.Garment.Name == "Shirt");

        Assert.Equal($"{product.Colour.Name} Striped Shirt", product.Name);
        Assert.Contains(product.Colour.Name.ToLowerInvariant(), product.Description);
        Assert.Contains("striped", product.Description);
        Assert.Contains("shirt", product.Description);
    }

    [Fact]
    public async Task SampleRows_MapThroughProductMapper_WithoutRejections()
    {
        var mapper = new ProductMapper(null, null);
        var rows = await SourceRows.ReadAllAsync(new SampleDatasetSource(50));

        var results = rows.Select(mapper.Map).ToList();

        Assert.All(results, r => Assert.Null(r.Rejection));
        Assert.Equal("http://sample.gme.localhost/images/S000001.jpg", results[0].Product?.ImageRef);
    }

    [Theory]
    [InlineData("S000001", true, 1)]
    [InlineData("S999999", true, 999_999)]
    [InlineData("S000000", false, 0)]
    [InlineData("S00001", false, 0)]
    [InlineData("s000001", false, 0)]
    [InlineData("S-00001", false, 0)]
    public void TryParseId_AcceptsOnlyCatalogueIds(string id, bool ok, int index)
    {
        Assert.Equal(ok, SampleCatalogue.TryParseId(id, out var parsed));
        if (ok)
        {
            Assert.Equal(index, parsed);
        }
    }
}
