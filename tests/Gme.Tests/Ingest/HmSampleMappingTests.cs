using Gme.Core.Sources;
using Gme.Sources;

namespace Gme.Tests.Ingest;

/// <summary>The real H&amp;M sample (evaluation data outside the repository) read and mapped end to end.</summary>
public sealed class HmSampleMappingTests
{
    [Fact]
    public async Task HmSampleCsv_MapsEveryRowAndResolvesImages()
    {
        var path = Path.GetFullPath(Path.Combine(RepositoryRoot.Find(), "..", "shared", "datasets", "hm-sample", "products.csv"));
        if (!File.Exists(path))
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"The H&M sample is required in CI: {path}");
            Assert.Skip($"The H&M sample is not available at {path}");
        }

        var source = new CsvDatasetSource(path);
        var mapper = new ProductMapper(null, source.BaseDirectory);
        var products = new List<ProductRecord>();
        var rejections = new List<RowRejection>();
        await foreach (var row in source.ReadRowsAsync(TestContext.Current.CancellationToken))
        {
            var (product, rejection) = mapper.Map(row);
            if (product is not null)
            {
                products.Add(product);
            }
            else if (rejection is not null)
            {
                rejections.Add(rejection);
            }
        }

        Assert.Empty(rejections);
        Assert.Equal(1000, products.Count);
        Assert.All(products, p => Assert.True(File.Exists(p.ImageRef), $"missing image {p.ImageRef}"));
        Assert.Equal(1000, products.Select(p => p.Id).Distinct().Count());
        Assert.StartsWith("Black Umbrella", products[0].Text);
    }
}
