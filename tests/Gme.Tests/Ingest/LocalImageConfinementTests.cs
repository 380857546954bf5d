using System.Security.Cryptography;
using Gme.Core.Images;
using Gme.Core.Sources;
using Gme.Images;
using Gme.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Ingest;

/// <summary>
/// A catalogue's image column is data: hostile paths must be refused per row with a reason, by the mapper at ingest
/// and again by the fetcher (a ledger row written before the check, or a file swapped in after it), and no byte of a
/// canary outside the catalogue folder may reach the image cache. Every fetch is bounded in time: a FIFO or
/// /dev/zero that got opened would hang or run the memory out.
/// </summary>
public sealed class LocalImageConfinementTests : IDisposable
{
    private const long MaxBodyBytes = 64 * 1024;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    private readonly ConfinementLayout _layout = new(oversizeBytes: MaxBodyBytes * 3);
    private readonly TempDirectory _data = new();
    private readonly ServiceProvider _services;

    public LocalImageConfinementTests()
    {
        _services = TestServices.WithDataFolder(_data.Path, [new("Gme:Images:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))])
            .AddImageFetching()
            .BuildServiceProvider();
    }

    public static TheoryData<string, string, string> HostilePaths => new()
    {
        // raw reference ({out} = the canary folder, {tmp} = the folder above the catalogue), mapper reason, fetcher reason
        { "{out}/canary.png", "absolute image path outside the images root", "outside_images_root" },
        { "{tmp}/cat2/canary.png", "absolute image path outside the images root", "outside_images_root" },
        { "/etc/passwd", "absolute image path outside the images root", "outside_images_root" },
        { "/etc/shadow", "absolute image path outside the images root", "outside_images_root" },
        { "/proc/self/environ", "absolute image path outside the images root", "outside_images_root" },
        { "/dev/zero", "absolute image path outside the images root", "outside_images_root" },
        { "/dev/urandom", "absolute image path outside the images root", "outside_images_root" },
        { "../outside/canary.png", "image path leaves the images root", "outside_images_root" },
        { "../cat2/canary.png", "image path leaves the images root", "outside_images_root" },
        { "./../outside/canary.png", "image path leaves the images root", "outside_images_root" },
        { "images/../../outside/canary.png", "image path leaves the images root", "outside_images_root" },
        { "images/../../../../../../../../../../etc/passwd", "image path leaves the images root", "outside_images_root" },
        { "..\\outside\\canary.png", "image path leaves the images root", "outside_images_root" },
        { "images\\..\\..\\outside/canary.png", "image path leaves the images root", "outside_images_root" },
        { "link.png", "image path leads through a symbolic link out of the images root", "link_outside_images_root" },
        { "relative-link.png", "image path leads through a symbolic link out of the images root", "link_outside_images_root" },
        { "chain.png", "image path leads through a symbolic link out of the images root", "link_outside_images_root" },
        { "dirlink/canary.png", "image path leads through a symbolic link out of the images root", "link_outside_images_root" },
        { "zero.png", "image path leads through a symbolic link out of the images root", "link_outside_images_root" },
        { "file:///etc/passwd", "image URL scheme 'file' is not http or https", "invalid_image_ref" },
    };

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public async Task HostilePath_RefusedByMapperAndFetcher_CanaryNeverStored(string raw, string mapperReason, string fetcherReason)
    {
        var tmp = Path.GetDirectoryName(_layout.Catalogue)!;
        raw = raw.Replace("{out}", _layout.Outside, StringComparison.Ordinal).Replace("{tmp}", tmp, StringComparison.Ordinal);

        var (product, rejection) = Map(raw);

        Assert.Null(product);
        Assert.NotNull(rejection);
        Assert.StartsWith(mapperReason, rejection.Reason, StringComparison.Ordinal);

        // The same reference as a ledger row that never went through the check (an older run): the fetcher refuses it too.
        var naive = raw.Contains("://", StringComparison.Ordinal)
            ? raw
            : Path.GetFullPath(Path.Combine(_layout.Catalogue, raw.Replace('\\', '/')));
        var result = await FetchAsync(naive, _layout.Catalogue);

        Assert.False(result.Succeeded);
        Assert.Equal(fetcherReason, result.FailureReason);
        Assert.True(result.Permanent);
        AssertCanaryNeverStored();
    }

    [Theory]
    [InlineData("images/up/../outside/canary.png")] // ".." is applied to the name, and the name is what gets opened
    [InlineData("%2e%2e/outside/canary.png")] // not decoded: a file name inside the folder
    [InlineData("..%2Foutside%2Fcanary.png")]
    public async Task EncodedOrLinkDotDot_StaysInsideAndIsNotFound(string raw)
    {
        var (product, rejection) = Map(raw);

        Assert.Null(rejection);
        Assert.NotNull(product);
        Assert.StartsWith(_layout.Catalogue + Path.DirectorySeparatorChar, product.ImageRef, StringComparison.Ordinal);
        var result = await FetchAsync(product.ImageRef, _layout.Catalogue);
        Assert.Equal("file_not_found", result.FailureReason);
        AssertCanaryNeverStored();
    }

    [Theory]
    [InlineData("fifo.png", "not_a_regular_file")]
    [InlineData("images", "is_a_directory")]
    [InlineData("big.png", "body_too_large")]
    public async Task InsideRootButNotAReadableImage_RefusedBeforeOpeningOrPastTheBudget(string raw, string reason)
    {
        var (product, rejection) = Map(raw);
        Assert.Null(rejection);

        var result = await FetchAsync(product!.ImageRef, _layout.Catalogue);

        Assert.Equal(reason, result.FailureReason);
        Assert.True(result.Permanent);
        Assert.Empty(CachedFiles());
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public async Task Device_RefusedByTypeEvenWhenItsFolderIsTheRoot(string device)
    {
        var result = await FetchAsync(device, "/dev");

        Assert.Equal("not_a_regular_file", result.FailureReason);
        Assert.Empty(CachedFiles());
    }

    [Fact]
    public async Task LocalPath_WithoutRoot_Refused()
    {
        var result = await FetchAsync(Path.Combine(_layout.Catalogue, "images", "ok.png"), localRoot: null);

        Assert.Equal("local_path_without_root", result.FailureReason);
        Assert.Equal("local image path, but the catalogue has no folder to keep it in (give an images root)",
            new ProductMapper(null, null).Map(Row("images/ok.png")).Rejection?.Reason);
    }

    [Theory]
    [InlineData("images/ok.png")]
    [InlineData("alias.png")] // a link that stays inside the folder
    public async Task ValidImageInsideRoot_Stored(string raw)
    {
        var (product, rejection) = Map(raw);
        Assert.Null(rejection);

        var result = await FetchAsync(product!.ImageRef, _layout.Catalogue);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal((30, 20), (result.Width, result.Height));
        Assert.Single(CachedFiles());
        AssertCanaryNeverStored();
    }

    [Fact]
    public async Task ImagesRoot_WidensTheFolder_AndRelativePathsStillResolveAgainstTheCatalogue()
    {
        var tmp = Path.GetDirectoryName(_layout.Catalogue)!;
        var mapper = new ProductMapper(null, _layout.Catalogue, imagesRoot: tmp);

        var (product, rejection) = mapper.Map(Row("../outside/canary.png"));
        Assert.Null(rejection);
        Assert.Equal(Path.Combine(_layout.Outside, "canary.png"), product!.ImageRef);
        Assert.True((await FetchAsync(product.ImageRef, tmp)).Succeeded);

        Assert.StartsWith("absolute image path outside the images root", mapper.Map(Row("/etc/passwd")).Rejection?.Reason, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _services.Dispose();
        _data.Dispose();
        _layout.Dispose();
    }

    private static SourceRow Row(string image) =>
        new(3, new Dictionary<string, string?> { ["product_id"] = "P1", ["name"] = "Cap", ["image_file"] = image });

    private (ProductRecord? Product, RowRejection? Rejection) Map(string raw) =>
        new ProductMapper(null, _layout.Catalogue).Map(Row(raw));

    /// <summary>Off the test thread and bounded: a fetch that opened a FIFO would block inside the call itself.</summary>
    private async Task<ImageFetchResult> FetchAsync(string imageRef, string? localRoot)
    {
        var fetcher = _services.GetRequiredService<IImageFetcher>();
        var ct = TestContext.Current.CancellationToken;
        try
        {
            return await Task.Run(() => fetcher.FetchAsync(imageRef, localRoot, ct), ct).WaitAsync(s_bound, ct);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"fetching {imageRef} took more than {s_bound.TotalSeconds} s");
            throw;
        }
    }

    private string[] CachedFiles()
    {
        var images = Path.Combine(_data.Path, "images");
        return Directory.Exists(images) ? Directory.GetFiles(images, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>What the canary would be stored as, had it been read: its normalised bytes' hash must not be in the cache.</summary>
    private void AssertCanaryNeverStored()
    {
        var normalized = _services.GetRequiredService<ImageNormalizer>().Normalize(_layout.Canary);
        Assert.NotNull(normalized.Bytes);
        var canarySha = Convert.ToHexStringLower(SHA256.HashData(normalized.Bytes));
        Assert.DoesNotContain(CachedFiles(), f => Path.GetFileNameWithoutExtension(f) == canarySha);
        Assert.DoesNotContain(CachedFiles(), f => File.ReadAllBytes(f).AsSpan().SequenceEqual(_layout.Canary));
    }
}
