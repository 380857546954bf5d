using Gme.Core.Storage;
using Gme.Core.Vectors;
using Gme.Tests.Support;
using Gme.VectorStores.Embedded;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gme.Tests.Vectors;

/// <summary>What only the embedded store promises: durability, crash recovery, compaction and multi-process rules.</summary>
public sealed class EmbeddedVectorStoreTests : IDisposable
{
    private const string Collection = "products";
    private const int Dimensions = 8;

    private readonly TempDirectory _directory = new();
    private readonly List<EmbeddedVectorStore> _stores = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string LogPath => Path.Combine(_directory.Path, "index", Collection, EmbeddedCollection.LogFileName);

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
        _directory.Dispose();
    }

    [Fact]
    public async Task Reopen_FromDisk_GivesTheSameResults()
    {
        var store = await CreateWithCollectionAsync();
        var points = Points(new Random(1), 0, 150);
        await store.UpsertAsync(Collection, points, Ct);
        await store.DeleteAsync(Collection, [points[10].Id], Ct);
        var query = TestVectors.Random(new Random(2), Dimensions);
        var before = await store.SearchAsync(Collection, "v", query, 20, cancellationToken: Ct);
        store.Dispose();

        var reopened = NewStore();
        var after = await reopened.SearchAsync(Collection, "v", query, 20, cancellationToken: Ct);

        AssertSameHits(before, after);
        Assert.Equal(149, await reopened.CountAsync(Collection, cancellationToken: Ct));
        Assert.NotNull(await reopened.GetCollectionAsync(Collection, Ct));
    }

    [Fact]
    public async Task Reopen_GarbageTailAppended_KeepsEveryCompleteRecordAndWritesOn()
    {
        var store = await CreateWithCollectionAsync();
        await store.UpsertAsync(Collection, Points(new Random(3), 0, 40), Ct);
        store.Dispose();

        // A torn write: a frame header that promises more bytes than follow, then junk.
        await using (var log = new FileStream(LogPath, FileMode.Append))
        {
            log.Write([200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]);
        }

        var reopened = NewStore();
        Assert.Equal(40, await reopened.CountAsync(Collection, cancellationToken: Ct));

        // The first write cuts the tail off; otherwise records appended after it would be unreachable.
        await reopened.UpsertAsync(Collection, Points(new Random(4), 40, 10), Ct);
        reopened.Dispose();
        Assert.Equal(50, await NewStore().CountAsync(Collection, cancellationToken: Ct));
    }

    [Fact]
    public async Task Reopen_LastRecordCutShort_KeepsTheRecordsBeforeIt()
    {
        var store = await CreateWithCollectionAsync();
        var points = Points(new Random(5), 0, 5);
        foreach (var point in points)
        {
            await store.UpsertAsync(Collection, [point], Ct);
        }

        store.Dispose();
        using (var log = new FileStream(LogPath, FileMode.Open))
        {
            log.SetLength(log.Length - 7);
        }

        var reopened = NewStore();
        var found = await reopened.RetrieveAsync(Collection, points.Select(p => p.Id).ToList(), withVectors: false, Ct);
        Assert.Equal(points.Take(4).Select(p => p.Id).Order(), found.Select(p => p.Id).Order());
    }

    [Fact]
    public async Task Reopen_CorruptByteInLastRecord_DropsOnlyThatRecord()
    {
        var store = await CreateWithCollectionAsync();
        await store.UpsertAsync(Collection, Points(new Random(6), 0, 3), Ct);
        await store.UpsertAsync(Collection, Points(new Random(7), 3, 1), Ct);
        store.Dispose();
        using (var log = new FileStream(LogPath, FileMode.Open))
        {
            log.Position = log.Length - 3;
            log.WriteByte(0x5A);
        }

        Assert.Equal(3, await NewStore().CountAsync(Collection, cancellationToken: Ct));
    }

    [Fact]
    public async Task Compact_KeepsResultsIdenticalAndShrinksTheLog()
    {
        var store = await CreateWithCollectionAsync();
        var random = new Random(8);
        var points = Points(random, 0, 200);
        await store.UpsertAsync(Collection, points, Ct);
        await store.UpsertAsync(Collection, Points(random, 0, 100), Ct);
        await store.DeleteAsync(Collection, points.Skip(150).Select(p => p.Id).ToList(), Ct);
        var query = TestVectors.Random(random, Dimensions);
        var filter = new PayloadFilter([KeyValuePair.Create("colour", "red")]);
        var before = await store.SearchAsync(Collection, "v", query, 30, filter, Ct);
        var sizeBefore = new FileInfo(LogPath).Length;

        await store.CompactAsync(Collection, Ct);

        Assert.True(new FileInfo(LogPath).Length < sizeBefore * 0.6, "the compacted log holds only live points");
        AssertSameHits(before, await store.SearchAsync(Collection, "v", query, 30, filter, Ct));
        Assert.Equal(150, await store.CountAsync(Collection, cancellationToken: Ct));

        await store.UpsertAsync(Collection, Points(random, 500, 1), Ct);
        store.Dispose();
        var reopened = NewStore();
        Assert.Equal(151, await reopened.CountAsync(Collection, cancellationToken: Ct));
        AssertSameHits(before, await reopened.SearchAsync(Collection, "v", query, 30, filter, Ct));
    }

    [Fact]
    public async Task Upsert_LogMostlyOverwritten_CompactsByItself()
    {
        var store = await CreateWithCollectionAsync();
        var random = new Random(9);
        await store.UpsertAsync(Collection, Points(random, 0, 600), Ct);
        var onePass = new FileInfo(LogPath).Length;
        await store.UpsertAsync(Collection, Points(random, 0, 600), Ct);
        await store.UpsertAsync(Collection, Points(random, 0, 600), Ct);

        Assert.True(new FileInfo(LogPath).Length <= onePass, "three passes over the same ids compact to one");
        Assert.Equal(600, await store.CountAsync(Collection, cancellationToken: Ct));
    }

    [Fact]
    public async Task SecondWriter_OnTheSameFolder_IsRefusedButCanRead()
    {
        var writer = await CreateWithCollectionAsync();
        await writer.UpsertAsync(Collection, Points(new Random(10), 0, 5), Ct);

        var other = NewStore();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => other.UpsertAsync(Collection, Points(new Random(11), 5, 1), Ct));
        Assert.Contains("another process", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, await other.CountAsync(Collection, cancellationToken: Ct));

        writer.Dispose();
        await other.UpsertAsync(Collection, Points(new Random(12), 5, 1), Ct);
        Assert.Equal(6, await other.CountAsync(Collection, cancellationToken: Ct));
    }

    [Fact]
    public async Task Reader_OpenedBeforeWrites_SeesAppendsAndCompaction()
    {
        var writer = await CreateWithCollectionAsync();
        var random = new Random(13);
        await writer.UpsertAsync(Collection, Points(random, 0, 20), Ct);
        var reader = NewStore();
        Assert.Equal(20, await reader.CountAsync(Collection, cancellationToken: Ct));

        var more = Points(random, 20, 30);
        await writer.UpsertAsync(Collection, more, Ct);
        Assert.Equal(50, await reader.CountAsync(Collection, cancellationToken: Ct));
        var hit = (await reader.SearchAsync(Collection, "v", more[7].Vectors["v"], 1, cancellationToken: Ct))[0];
        Assert.Equal(more[7].Id, hit.Id);

        await writer.DeleteAsync(Collection, more.Select(p => p.Id).ToList(), Ct);
        await writer.CompactAsync(Collection, Ct);
        await writer.UpsertAsync(Collection, Points(random, 100, 2), Ct);
        Assert.Equal(22, await reader.CountAsync(Collection, cancellationToken: Ct));
    }

    [Fact]
    public async Task Reader_CollectionCreatedLater_FindsIt()
    {
        var reader = NewStore();
        Assert.Null(await reader.GetCollectionAsync(Collection, Ct));

        var writer = await CreateWithCollectionAsync();
        await writer.UpsertAsync(Collection, Points(new Random(14), 0, 3), Ct);

        Assert.Equal(3, await reader.CountAsync(Collection, cancellationToken: Ct));
    }

    [Fact]
    public async Task ConcurrentUpsertsAndSearches_AllLandAndNothingFails()
    {
        var store = await CreateWithCollectionAsync();
        var query = TestVectors.Random(new Random(15), Dimensions);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(
            async () =>
            {
                var random = new Random(100 + w);
                for (var batch = 0; batch < 10; batch++)
                {
                    await store.UpsertAsync(Collection, Points(random, (w * 1000) + (batch * 10), 10), Ct);
                }
            },
            Ct));
        var searchers = Enumerable.Range(0, 4).Select(_ => Task.Run(
            async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    var hits = await store.SearchAsync(Collection, "v", query, 5, cancellationToken: Ct);
                    Assert.True(hits.Count <= 5);
                }
            },
            Ct));

        await Task.WhenAll([.. writers, .. searchers]);

        Assert.Equal(400, await store.CountAsync(Collection, cancellationToken: Ct));
        store.Dispose();
        Assert.Equal(400, await NewStore().CountAsync(Collection, cancellationToken: Ct));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("has space")]
    [InlineData("")]
    public async Task AnyOperation_UnsafeCollectionName_IsRefused(string name)
    {
        var store = NewStore();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CountAsync(name, cancellationToken: Ct));
    }

    [Fact]
    public async Task Search_QueryWithNaN_IsRefused()
    {
        var store = await CreateWithCollectionAsync();
        var query = new float[Dimensions];
        query[0] = float.NaN;
        await Assert.ThrowsAsync<ArgumentException>(() => store.SearchAsync(Collection, "v", query, 3, cancellationToken: Ct));
    }

    [Fact]
    public void AddEmbeddedVectorStore_RegistersOneSingleton()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build())
            .AddSingleton(new DataPaths(_directory.Path))
            .AddEmbeddedVectorStore();
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IVectorStore>();
        Assert.IsType<EmbeddedVectorStore>(store);
        Assert.Same(store, provider.GetRequiredService<IVectorStore>());
        Assert.Same(store, provider.GetRequiredService<EmbeddedVectorStore>());
    }

    [Fact]
    public void Crc32_StandardCheckValue_Matches()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    private static List<VectorPoint> Points(Random random, int first, int count)
    {
        string[] colours = ["red", "blue", "green"];
        return Enumerable.Range(first, count)
            .Select(i => new VectorPoint(
                PointIds.FromProductId($"p{i}"),
                new Dictionary<string, float[]> { ["v"] = TestVectors.Random(random, Dimensions) },
                new Dictionary<string, string?> { ["product_id"] = $"p{i}", ["colour"] = colours[i % 3] }))
            .ToList();
    }

    private static void AssertSameHits(IReadOnlyList<ScoredPoint> expected, IReadOnlyList<ScoredPoint> actual)
    {
        Assert.Equal(expected.Select(h => h.Id), actual.Select(h => h.Id));
        Assert.Equal(expected.Select(h => h.Score), actual.Select(h => h.Score));
        Assert.Equal(expected.Select(h => h.Payload["product_id"]), actual.Select(h => h.Payload["product_id"]));
    }

    private EmbeddedVectorStore NewStore()
    {
        var store = new EmbeddedVectorStore(new DataPaths(_directory.Path), NullLogger<EmbeddedVectorStore>.Instance);
        _stores.Add(store);
        return store;
    }

    private async Task<EmbeddedVectorStore> CreateWithCollectionAsync()
    {
        var store = NewStore();
        await store.EnsureCollectionAsync(
            new CollectionSpec(Collection, new Dictionary<string, VectorSpec> { ["v"] = new(Dimensions, Distance.Cosine) }, ["colour"]),
            Ct);
        return store;
    }
}
