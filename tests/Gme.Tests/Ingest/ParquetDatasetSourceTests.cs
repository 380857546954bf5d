using System.Text.Json.Serialization;
using Gme.Sources;
using Gme.Tests.Support;
using Parquet;
using Parquet.Serialization;

namespace Gme.Tests.Ingest;

public sealed class ParquetDatasetSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ReadRows_PrimitiveColumns_AsInvariantStringsAcrossRowGroups()
    {
        var path = _temp.File("p.parquet");
        var data = Enumerable.Range(1, 5).Select(i => new ProductRow
        {
            ProductId = $"P{i}",
            Name = i == 3 ? null : $"Item {i}",
            PriceCents = i * 100,
            Rating = i % 2 == 0 ? null : i + 0.25,
            InStock = i % 2 == 1,
            Embedding = [i, i + 1, i + 2],
        }).ToList();
        await ParquetSerializer.SerializeAsync(data, path, new ParquetOptions { RowGroupSize = 2 }, cancellationToken: TestContext.Current.CancellationToken);

        var rows = await SourceRows.ReadAllAsync(new ParquetDatasetSource(path));

        Assert.Equal([1L, 2L, 3L, 4L, 5L], rows.Select(r => r.RowNumber));
        Assert.Equal(["in_stock", "name", "price_cents", "product_id", "rating"], rows[0].Fields.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("dense_embedding", rows[0].Fields.Keys);
        Assert.Equal("P1", rows[0].Fields["product_id"]);
        Assert.Equal("1.25", rows[0].Fields["rating"]);
        Assert.Equal("true", rows[0].Fields["in_stock"]);
        Assert.Null(rows[1].Fields["rating"]);
        Assert.Equal("false", rows[1].Fields["in_stock"]);
        Assert.Null(rows[2].Fields["name"]);
        Assert.Equal("500", rows[4].Fields["price_cents"]);
        Assert.Equal("Item 5", rows[4].Fields["name"]);
    }

    private sealed class ProductRow
    {
        [JsonPropertyName("product_id")]
        public string ProductId { get; set; } = "";

        [JsonPropertyName("name")]
        public string? Name { get; set; }

        [JsonPropertyName("price_cents")]
        public int PriceCents { get; set; }

        [JsonPropertyName("rating")]
        public double? Rating { get; set; }

        [JsonPropertyName("in_stock")]
        public bool InStock { get; set; }

        [JsonPropertyName("dense_embedding")]
        public float[] Embedding { get; set; } = [];
    }
}
