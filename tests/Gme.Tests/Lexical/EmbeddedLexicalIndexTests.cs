using Gme.Core.Lexical;
using Gme.Core.Storage;
using Gme.Core.Vectors;
using Gme.Tests.Support;
using Gme.VectorStores.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gme.Tests.Lexical;

public sealed class EmbeddedLexicalIndexTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reopen_RebuildsTheLexicalIndexFromTheLog_AndAReaderSeesTheWritersUpserts()
    {
        using var dir = new TempDirectory();
        var spec = new CollectionSpec("c", new Dictionary<string, VectorSpec> { ["text"] = new(2, Distance.Cosine) }, []);
        using var writer = new EmbeddedVectorStore(new DataPaths(dir.Path), NullLogger<EmbeddedVectorStore>.Instance);
        await writer.EnsureCollectionAsync(spec, Ct);
        await writer.UpsertAsync("c", [Point("a", "Black dress"), Point("b", "Blue shirt")], Ct);
        var before = await writer.SearchLexicalAsync("c", LexicalEncoder.Query("black dress"), 10, cancellationToken: Ct);

        using var reader = new EmbeddedVectorStore(new DataPaths(dir.Path), NullLogger<EmbeddedVectorStore>.Instance);
        var reopened = await reader.SearchLexicalAsync("c", LexicalEncoder.Query("black dress"), 10, cancellationToken: Ct);
        await writer.UpsertAsync("c", [Point("c", "Black coat")], Ct);
        var caughtUp = await reader.SearchLexicalAsync("c", LexicalEncoder.Query("black"), 10, cancellationToken: Ct);

        Assert.Equal(before.Select(h => (h.Id, h.Score)), reopened.Select(h => (h.Id, h.Score)));
        Assert.Equal(["a", "c"], caughtUp.Select(h => h.Payload["product_id"]!).Order(StringComparer.Ordinal));
    }

    private static VectorPoint Point(string id, string name) =>
        new(PointIds.FromProductId(id), new Dictionary<string, float[]> { ["text"] = [1f, 0.5f] },
            new Dictionary<string, string?> { ["product_id"] = id, ["name"] = name });
}
