using Gme.Core.Images;
using Gme.Images;
using Gme.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Ingest;

/// <summary>
/// Over a hundred hostile image files, written to disk and fetched through the full path (read, sniff, identify,
/// decode, store): each one ends as a stored image or a failure with a reason, nothing throws, and managed memory
/// does not grow with the corpus.
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class HostileImageTests
{
    private static readonly HashSet<string> s_reasons =
        ["empty", "unknown_format", "not_an_image", "corrupt_image", "too_many_pixels", "unsupported_image"];

    [Fact]
    public async Task Fetch_HostileImageFiles_AllClassifiedWithBoundedMemory()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        await using var provider = TestServices.WithDataFolder(temp.Path)
            .AddImageFetching()
            .BuildServiceProvider();
        var fetcher = provider.GetRequiredService<IImageFetcher>();
        var files = new List<string>();
        foreach (var (name, bytes) in HostileImages.All())
        {
            var path = temp.File($"hostile-{name}.bin");
            await File.WriteAllBytesAsync(path, bytes, ct);
            files.Add(path);
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var unclassified = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var path in files)
        {
            var result = await fetcher.FetchAsync(path, temp.Path, ct);
            var outcome = result.Succeeded ? "stored" : result.FailureReason ?? "";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (!result.Succeeded && !s_reasons.Contains(outcome))
            {
                unclassified.Add($"{Path.GetFileName(path)}: {outcome}");
            }
        }

        var growth = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.True(files.Count >= 100, $"{files.Count} files");
        Assert.Empty(unclassified);
        Assert.True(outcomes.GetValueOrDefault("too_many_pixels") >= 10, string.Join(", ", outcomes));
        Assert.True(growth < 32L * 1024 * 1024, $"managed memory grew by {growth / 1024 / 1024} MB");
    }
}
