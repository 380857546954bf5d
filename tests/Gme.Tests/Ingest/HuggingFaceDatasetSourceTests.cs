using System.Diagnostics;
using Gme.Core.Sources;
using Gme.Sources;
using Gme.Sources.HuggingFace;
using Gme.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Ingest;

[Collection(ProcessMemoryCollection.Name)]
public sealed class HuggingFaceDatasetSourceTests : IDisposable
{
    private const string Dataset = "Qdrant/hm_ecommerce_products";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ReadRows_ParquetListing_DownloadsResumablyStreamsAndDropsEmbeddings()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[][] files = [await FakeHub.ParquetAsync(0, 30, 10, ct), await FakeHub.ParquetAsync(30, 20, 10, ct)];
        await using var hub = await FakeHub.StartAsync(Dataset, files, token: "hf_test_secret_token");
        await using var provider = BuildProvider(hub, token: "hf_test_secret_token");
        var source = provider.GetRequiredService<IDatasetSourceFactory>().Open(new SourceSpec { Kind = "hf", Location = $"{Dataset}:train" });

        var rows = await SourceRows.ReadAllAsync(source);
        var again = await SourceRows.ReadAllAsync(source);

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), rows.Select(r => r.RowNumber));
        Assert.Equal("100000000", rows[0].Fields["article_id"]);
        Assert.Equal("100000049", rows[^1].Fields["article_id"]);
        Assert.Equal("https://images.example.com/31.jpg", rows[31].Fields["image_url"]);
        Assert.DoesNotContain("dense_embedding", rows[0].Fields.Keys);
        Assert.DoesNotContain("sparse_indices", rows[0].Fields.Keys);
        Assert.DoesNotContain("sparse_values", rows[0].Fields.Keys);
        Assert.True(2 == hub.RangeRequests, $"range requests {hub.RangeRequests}, downloads {hub.TotalDownloads}");
        Assert.Equal(4, hub.TotalDownloads); // one cut-off and one resumed download per file; the second read is cached
        Assert.Equal(50, again.Count);
        Assert.DoesNotContain("hf_test_secret_token", source.Description, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "*.part", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ReadRows_Revision_ListsSiblingsOfTheSplitOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[][] files = [await FakeHub.ParquetAsync(0, 12, 5, ct)];
        await using var hub = await FakeHub.StartAsync(Dataset, files);
        await using var provider = BuildProvider(hub);
        var client = provider.GetRequiredService<HuggingFaceHubClient>();

        var listed = await client.ListParquetFilesAsync(HuggingFaceDatasetRef.Parse($"hf://{Dataset}@main:train"), ct);
        var rows = await SourceRows.ReadAllAsync(new HuggingFaceDatasetSource(HuggingFaceDatasetRef.Parse($"hf://{Dataset}@main"), client));

        var file = Assert.Single(listed);
        Assert.EndsWith($"/resolve/{FakeHub.Sha}/data/train-00000-of-00001.parquet", file.Url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(12, rows.Count);
    }

    [Fact]
    public async Task ReadRows_WrongToken_FailsWithAClearMessageWithoutTheToken()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var hub = await FakeHub.StartAsync(Dataset, [await FakeHub.ParquetAsync(0, 3, 3, ct)], token: "hf_right");
        await using var provider = BuildProvider(hub, token: "hf_wrong_secret");
        var source = provider.GetRequiredService<IDatasetSourceFactory>().Open(new SourceSpec { Kind = "hf", Location = Dataset });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SourceRows.ReadAllAsync(source));

        Assert.Contains("access denied", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hf_wrong_secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hf://Qdrant/hm_ecommerce_products", "Qdrant/hm_ecommerce_products", null, "train")]
    [InlineData("hf://Qdrant/hm_ecommerce_products:test", "Qdrant/hm_ecommerce_products", null, "test")]
    [InlineData("hf://a-b/c.d@v1.0:validation", "a-b/c.d", "v1.0", "validation")]
    public void DatasetRef_Parse_ReadsIdRevisionAndSplit(string text, string id, string? revision, string split) =>
        Assert.Equal(new HuggingFaceDatasetRef(id, revision, split), HuggingFaceDatasetRef.Parse(text));

    [Theory]
    [InlineData("hf://")]
    [InlineData("hf://noslash")]
    [InlineData("hf://a/b/c")]
    [InlineData("hf://a/b@:train")]
    [InlineData("hf://../etc")]
    public void DatasetRef_Parse_RefusesMalformedIds(string text) =>
        Assert.Throws<FormatException>(() => HuggingFaceDatasetRef.Parse(text));

    /// <summary>105,000 H&amp;M-shaped rows in two files, streamed: managed memory stays bounded well below the data size.</summary>
    [Fact]
    public async Task ReadRows_105kRows_StreamsWithBoundedMemory()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[][] files = [await FakeHub.ParquetAsync(0, 60_000, 5_000, ct), await FakeHub.ParquetAsync(60_000, 45_000, 5_000, ct)];
        await using var hub = await FakeHub.StartAsync(Dataset, files);
        await using var provider = BuildProvider(hub);
        var source = provider.GetRequiredService<IDatasetSourceFactory>().Open(new SourceSpec { Kind = "hf", Location = Dataset });
        var mapper = new ProductMapper(null, null);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        long count = 0;
        long accepted = 0;
        long peak = 0;
        var watch = Stopwatch.StartNew();
        await foreach (var row in source.ReadRowsAsync(ct))
        {
            count++;
            if (mapper.Map(row).Product is not null)
            {
                accepted++;
            }

            if (count % 1000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false) - baseline);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"105k rows in {watch.Elapsed.TotalSeconds:F1} s, peak managed growth {peak / 1048576.0:F1} MiB");
        Assert.Equal(105_000, count);
        Assert.Equal(105_000, accepted);
        Assert.True(peak < 128L * 1024 * 1024, $"managed memory grew by {peak / 1048576} MiB");
    }

    private ServiceProvider BuildProvider(FakeHub hub, string? token = null)
    {
        var services = TestServices.WithDataFolder(_temp.Path)
            .AddDatasetSources();
        services.Configure<HuggingFaceOptions>(o =>
        {
            o.BaseUrl = hub.BaseAddress;
            o.Token = token;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        });
        return services.BuildServiceProvider();
    }
}
