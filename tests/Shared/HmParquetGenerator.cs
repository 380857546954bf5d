using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;

namespace Gme.Testing;

/// <summary>
/// Parquet in the shape of the H&amp;M catalogue on the Hub (Qdrant/hm_ecommerce_products), with the precomputed
/// embedding columns the HuggingFace source must drop. Linked into the unit tests, the pipeline tests and the Parquet
/// bench so the column set is written down once; each caller still chooses its own row values.
/// </summary>
internal static class HmParquetGenerator
{
    /// <summary>
    /// Row <paramref name="i"/> of a synthetic garment catalogue: article ids from 100,000,000, product types cycling
    /// Trousers, Sweater, Dress and colours alternating Black, White. The description's tail and the embedding columns
    /// are the caller's, because the tests want tiny files and the bench wants the real export's size.
    /// </summary>
    public static HmRow Garment(int i, string descriptionTail, float[] denseEmbedding, int[] sparseIndices, float[] sparseValues) => new()
    {
        ArticleId = $"{100_000_000 + i}",
        ProdName = $"Product {i}",
        ProductTypeName = (i % 3) switch { 0 => "Trousers", 1 => "Sweater", _ => "Dress" },
        ProductGroupName = "Garment Upper body",
        ColourGroupName = (i % 2) == 0 ? "Black" : "White",
        DepartmentName = "Jersey Basic",
        DetailDesc = $"Soft jersey product number {i} {descriptionTail}",
        ImageUrl = $"https://images.example.com/{i}.jpg",
        DenseEmbedding = denseEmbedding,
        SparseIndices = sparseIndices,
        SparseValues = sparseValues,
    };

    public static Task WriteAsync(IEnumerable<HmRow> rows, Stream stream, int rowGroupSize, CancellationToken cancellationToken = default) =>
        ParquetSerializer.SerializeAsync(rows, stream, new ParquetOptions { RowGroupSize = rowGroupSize }, cancellationToken: cancellationToken);

    public static async Task<byte[]> ToBytesAsync(IEnumerable<HmRow> rows, int rowGroupSize, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream();
        await WriteAsync(rows, stream, rowGroupSize, cancellationToken);
        return stream.ToArray();
    }
}

/// <summary>One row of the Hub export; the property names are the export's column names.</summary>
internal sealed class HmRow
{
    [JsonPropertyName("article_id")]
    public string ArticleId { get; set; } = "";

    [JsonPropertyName("prod_name")]
    public string ProdName { get; set; } = "";

    [JsonPropertyName("product_type_name")]
    public string ProductTypeName { get; set; } = "";

    [JsonPropertyName("product_group_name")]
    public string ProductGroupName { get; set; } = "";

    [JsonPropertyName("colour_group_name")]
    public string ColourGroupName { get; set; } = "";

    [JsonPropertyName("department_name")]
    public string DepartmentName { get; set; } = "";

    [JsonPropertyName("detail_desc")]
    public string DetailDesc { get; set; } = "";

    [JsonPropertyName("image_url")]
    public string ImageUrl { get; set; } = "";

    [JsonPropertyName("dense_embedding")]
    public float[] DenseEmbedding { get; set; } = [];

    [JsonPropertyName("sparse_indices")]
    public int[] SparseIndices { get; set; } = [];

    [JsonPropertyName("sparse_values")]
    public float[] SparseValues { get; set; } = [];
}
