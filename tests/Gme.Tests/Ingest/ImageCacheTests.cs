using Gme.Core.Images;
using Gme.Core.Storage;
using Gme.Tests.Support;

namespace Gme.Tests.Ingest;

public sealed class ImageCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Store_SameBytesTwice_OneFileNamedByHash()
    {
        var ct = TestContext.Current.CancellationToken;
        var paths = new DataPaths(_temp.Path);
        var cache = new ImageCache(paths);
        var bytes = TestImages.Jpeg(20, 20);

        var first = await cache.StoreAsync(bytes, ct);
        var second = await cache.StoreAsync(bytes, ct);

        Assert.Equal(first, second);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), first);
        Assert.Equal(Path.Combine(paths.Images, first[..2], first + ".jpg"), cache.PathFor(first));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(cache.PathFor(first), ct));
        Assert.Single(Directory.EnumerateFiles(paths.Images, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Verify_DamagedOrMissingFile_IsFalse()
    {
        var ct = TestContext.Current.CancellationToken;
        var cache = new ImageCache(new DataPaths(_temp.Path));
        var sha = await cache.StoreAsync(TestImages.Jpeg(20, 20), ct);
        Assert.True(await cache.VerifyAsync(sha, ct));

        await File.WriteAllBytesAsync(cache.PathFor(sha), [1, 2, 3], ct);

        Assert.False(await cache.VerifyAsync(sha, ct));
        Assert.False(await cache.VerifyAsync(new string('a', 64), ct));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("ABCDEF0000000000000000000000000000000000000000000000000000000000")]
    [InlineData("abc")]
    public void PathFor_NotALowerCaseSha256_Throws(string value)
    {
        var cache = new ImageCache(new DataPaths(_temp.Path));

        Assert.Throws<ArgumentException>(() => cache.PathFor(value));
    }
}
