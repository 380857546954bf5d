using System.Net;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Core.Storage;
using Gme.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Search;

/// <summary>
/// GET /api/products/{id}/image serves only regular files inside the image cache folder, found by the cached hash:
/// never the catalogue's image path, a tampered hash, or a link planted in the cache that leads out of it.
/// </summary>
public sealed class ProductImageConfinementTests : IAsyncLifetime
{
    private static readonly byte[] s_canary = "CANARY-outside-the-cache-7f3a9c"u8.ToArray();
    private readonly SearchApiFactory _factory = new();
    private readonly TempDirectory _outside = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = _factory.CreateClient();
        await _factory.SeedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        _outside.Dispose();
    }

    [Fact]
    public async Task ProductImage_NeverServesAFileOutsideTheCache()
    {
        var canary = _outside.File("canary.jpg");
        await File.WriteAllBytesAsync(canary, s_canary, Ct);
        var cache = _factory.Services.GetRequiredService<IImageCache>();
        var paths = _factory.Services.GetRequiredService<DataPaths>();

        // A link planted in the cache under a valid hash, and a cache folder that is itself a link out.
        var linkedSha = new string('c', 64);
        Directory.CreateDirectory(Path.GetDirectoryName(cache.PathFor(linkedSha))!);
        File.CreateSymbolicLink(cache.PathFor(linkedSha), canary);
        var folderSha = "dd" + new string('e', 62);
        Directory.CreateSymbolicLink(Path.Combine(paths.Images, "dd"), _outside.Path);
        File.Copy(canary, Path.Combine(_outside.Path, folderSha + ".jpg"));
        var fifoSha = new string('f', 64);
        Directory.CreateDirectory(Path.GetDirectoryName(cache.PathFor(fifoSha))!);
        File.CreateSymbolicLink(cache.PathFor(fifoSha), "/dev/zero");

        await using (var db = await _factory.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContextAsync(Ct))
        {
            db.Products.AddRange(
                Product("LINKED", canary, linkedSha),
                Product("FOLDER", canary, folderSha),
                Product("DEVICE", "/dev/zero", fifoSha),
                Product("TAMPERED", canary, "../../../../" + canary),
                Product("REF-ONLY", canary, sha: null));
            await db.SaveChangesAsync(Ct);
        }

        foreach (var id in new[] { "LINKED", "FOLDER", "DEVICE", "TAMPERED", "REF-ONLY" })
        {
            var response = await _client.GetAsync(new Uri($"/api/products/{id}/image", UriKind.Relative), Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
            var body = await response.Content.ReadAsByteArrayAsync(Ct);

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{id}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.False(body.AsSpan().IndexOf(s_canary) >= 0, $"{id}: the canary was served");
        }

        // The real cached photo is still served.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(new Uri("/api/products/P1/image", UriKind.Relative), Ct)).StatusCode);
    }

    private static ProductEntity Product(string id, string imageRef, string? sha) => new()
    {
        Collection = "products",
        Id = id,
        ContentHash = "h",
        PayloadJson = "{}",
        Name = id,
        Text = id,
        ImageRef = imageRef,
        ImageSha256 = sha,
    };
}
