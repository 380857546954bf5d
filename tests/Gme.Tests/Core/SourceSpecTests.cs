using System.Text.Json;
using Gme.Core.Sources;

namespace Gme.Tests.Core;

public sealed class SourceSpecTests
{
    [Fact]
    public void ImagesRoot_StoredWhenGiven_AndAbsentFromTheJsonOtherwise_SoOlderRunsStillResume()
    {
        var plain = new SourceSpec { Kind = "file", Location = "/data/cat/products.csv" };
        var rooted = plain with { ImagesRoot = "/data/photos" };

        Assert.DoesNotContain("ImagesRoot", JsonSerializer.Serialize(plain), StringComparison.Ordinal);
        Assert.Equal("/data/photos", JsonSerializer.Deserialize<SourceSpec>(JsonSerializer.Serialize(rooted))!.ImagesRoot);
        Assert.Equal("/data/cat", plain.LocalImageRoot());
        Assert.Equal("/data/photos", rooted.LocalImageRoot());
        Assert.Null(new SourceSpec { Kind = "hf", Location = "owner/name" }.LocalImageRoot());
        Assert.Null(new SourceSpec { Kind = "sample" }.LocalImageRoot());
    }
}
