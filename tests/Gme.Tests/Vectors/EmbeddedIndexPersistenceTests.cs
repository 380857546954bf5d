using Gme.Core.Storage;
using Gme.Core.Vectors;
using Gme.Tests.Support;
using Gme.VectorStores.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gme.Tests.Vectors;

/// <summary>
/// The store's inverted index at the size where it switches on: centroids saved beside the log, reused on reload,
/// and trained again from the vectors when the file is gone.
/// </summary>
public sealed class EmbeddedIndexPersistenceTests : IDisposable
{
    private const string Collection = "big";
    private const int Dimensions = 64;

    private readonly TempDirectory _directory = new();
    private readonly List<EmbeddedVectorStore> _stores = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string CentroidsPath => Path.Combine(_directory.Path, "index", Collection, IvfCentroidFile.FileName);

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
        _directory.Dispose();
    }

    [Fact]
    public async Task Reopen_WithAndWithoutSavedCentroids_AnswersLikeBefore()
    {
        var store = NewStore();
        await store.EnsureCollectionAsync(
            new CollectionSpec(Collection, new Dictionary<string, VectorSpec> { ["v"] = new(Dimensions, Distance.Cosine) }, ["band"]), Ct);
        var random = new Random(5);
        var centres = Enumerable.Range(0, 50).Select(_ => TestVectors.Random(random, Dimensions)).ToList();
        var count = QuantizedSearch.Default.MinimumPoints;
        for (var first = 0; first < count; first += 5000)
        {
            var batch = Enumerable.Range(first, 5000).Select(i => new VectorPoint(
                PointIds.FromProductId($"p{i}"),
                new Dictionary<string, float[]> { ["v"] = TestVectors.Near(random, centres[i % centres.Count], 0.8f) },
                new Dictionary<string, string?> { ["band"] = (i % 10).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            await store.UpsertAsync(Collection, batch.ToList(), Ct);
        }

        var queries = Enumerable.Range(0, 10).Select(i => TestVectors.Near(random, centres[i], 0.8f)).ToList();
        var filter = new PayloadFilter([KeyValuePair.Create("band", "4")]);
        var before = await SearchAllAsync(store, queries, filter);
        Assert.True(File.Exists(CentroidsPath));
        var saved = await File.ReadAllBytesAsync(CentroidsPath, Ct);
        store.Dispose();

        Assert.Equal(before, await SearchAllAsync(NewStore(), queries, filter));

        File.Delete(CentroidsPath);
        var rebuilt = NewStore();
        Assert.Equal(before, await SearchAllAsync(rebuilt, queries, filter));

        // The next writer puts the file back.
        await rebuilt.DeleteAsync(Collection, [PointIds.FromProductId("p0")], Ct);
        Assert.Equal(saved, await File.ReadAllBytesAsync(CentroidsPath, Ct));
    }

    private static async Task<List<Guid>> SearchAllAsync(EmbeddedVectorStore store, List<float[]> queries, PayloadFilter filter)
    {
        var ids = new List<Guid>();
        foreach (var query in queries)
        {
            ids.AddRange((await store.SearchAsync(Collection, "v", query, 10, cancellationToken: Ct)).Select(h => h.Id));
            ids.AddRange((await store.SearchAsync(Collection, "v", query, 10, filter, Ct)).Select(h => h.Id));
        }

        return ids;
    }

    private EmbeddedVectorStore NewStore()
    {
        var store = new EmbeddedVectorStore(new DataPaths(_directory.Path), NullLogger<EmbeddedVectorStore>.Instance);
        _stores.Add(store);
        return store;
    }
}
