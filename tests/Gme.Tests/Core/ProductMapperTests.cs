using Gme.Core.Sources;

namespace Gme.Tests.Core;

public sealed class ProductMapperTests
{
    private static SourceRow Row(params (string Key, string? Value)[] fields) =>
        new(7, fields.ToDictionary(f => f.Key, f => f.Value));

    [Fact]
    public void Map_HmKaggleColumns_BuildsProductWithTextAndAbsoluteImagePath()
    {
        var mapper = new ProductMapper(null, "/data/catalogue");
        var (product, rejection) = mapper.Map(Row(
            ("product_id", " 0108775015 "), ("name", "Strap top"), ("product_type", "Vest top"), ("colour", "Black"),
            ("department", "Jersey Basic"), ("product_group", "Garment Upper body"), ("description", "Jersey top  with narrow\nshoulder straps."),
            ("image_file", "images/0108775015.jpg")));

        Assert.Null(rejection);
        Assert.NotNull(product);
        Assert.Equal("0108775015", product.Id);
        Assert.Equal("Black Vest top. Strap top. Garment Upper body. Jersey top with narrow shoulder straps.", product.Text);
        Assert.Equal("/data/catalogue/images/0108775015.jpg", product.ImageRef);
        Assert.Equal("Vest top", product.Payload["product_type"]);
    }

    [Fact]
    public void Map_HuggingFaceColumns_DropsPrecomputedEmbeddings()
    {
        var mapper = new ProductMapper(null, null);
        var (product, _) = mapper.Map(Row(
            ("article_id", "108775015"), ("prod_name", "Strap top"), ("product_type_name", "Vest top"),
            ("colour_group_name", "Black"), ("detail_desc", "Jersey top."), ("image_url", "https://example.org/a.jpg"),
            ("dense_embedding", "[0.1, 0.2]"), ("sparse_indices", "[1]")));

        Assert.NotNull(product);
        Assert.Equal("108775015", product.Id);
        Assert.Equal("https://example.org/a.jpg", product.ImageRef);
        Assert.False(product.Payload.ContainsKey("dense_embedding"));
        Assert.False(product.Payload.ContainsKey("sparse_indices"));
    }

    [Fact]
    public void Map_ColumnMap_OverridesDefaults()
    {
        var mapper = new ProductMapper(new Dictionary<string, string> { ["id"] = "sku", ["image"] = "photo" }, null);
        var (product, _) = mapper.Map(Row(("sku", "A-1"), ("name", "Cap"), ("photo", "http://shop.test/cap.png")));
        Assert.Equal("A-1", product?.Id);
        Assert.Equal("http://shop.test/cap.png", product?.ImageRef);
    }

    [Theory]
    [InlineData(null, "Cap", "a.jpg", "missing product id")]
    [InlineData("  ", "Cap", "a.jpg", "missing product id")]
    [InlineData("A\u0000B", "Cap", "a.jpg", "product id holds control characters or invalid UTF-16")]
    [InlineData("A\u202eB", "Cap", "a.jpg", "product id holds control characters or invalid UTF-16")]
    [InlineData("A1", "", "a.jpg", "missing product name")]
    [InlineData("A1", "Cap", "", "missing image reference")]
    [InlineData("A1", "Cap", "ftp://x.test/a.jpg", "image URL scheme 'ftp' is not http or https")]
    [InlineData("A1", "Cap", "http://", "image URL is not a valid absolute URL")]
    public void Map_BadRow_RejectedWithReason(string? id, string name, string image, string reason)
    {
        var (product, rejection) = new ProductMapper(null, "/x").Map(Row(("product_id", id), ("name", name), ("image_file", image)));
        Assert.Null(product);
        Assert.Equal(reason, rejection?.Reason);
        Assert.Equal(7, rejection?.RowNumber);
    }

    [Fact]
    public void Map_OversizedFieldAndLoneSurrogate_Rejected()
    {
        var mapper = new ProductMapper(null, "/x");
        var big = mapper.Map(Row(("product_id", "A1"), ("name", "Cap"), ("image_file", "a.jpg"), ("description", new string('x', ProductMapper.MaxFieldLength + 1))));
        Assert.Equal($"field 'description' is longer than {ProductMapper.MaxFieldLength} characters", big.Rejection?.Reason);

        var surrogate = mapper.Map(Row(("product_id", "A1"), ("name", "Cap\ud800"), ("image_file", "a.jpg")));
        Assert.Equal("field 'name' holds invalid text (a lone surrogate)", surrogate.Rejection?.Reason);
    }

    [Fact]
    public void Map_IdsDifferingOnlyByNormalization_MapToTheSameId()
    {
        var mapper = new ProductMapper(null, "/x");
        var composed = mapper.Map(Row(("product_id", "caf\u00e9"), ("name", "a"), ("image_file", "a.jpg"))).Product;
        var decomposed = mapper.Map(Row(("product_id", "cafe\u0301"), ("name", "a"), ("image_file", "a.jpg"))).Product;
        Assert.Equal(composed?.Id, decomposed?.Id);
    }

    [Fact]
    public void Map_ParseErrorRow_RejectedAsUnreadable()
    {
        var (_, rejection) = new ProductMapper(null, null).Map(Row((ProductMapper.ParseErrorField, "row has 3 fields, header has 5")));
        Assert.Equal("unreadable row: row has 3 fields, header has 5", rejection?.Reason);
    }
}
