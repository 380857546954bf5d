using Gme.Core.Vectors;

namespace Gme.Tests.Core;

public sealed class PointIdsTests
{
    // Expected values computed with Python: str(uuid.uuid5(uuid.NAMESPACE_URL, name)).
    [Theory]
    [InlineData("0108775015", "faf9e989-4f49-514d-86a3-8e04377ad3d2")]
    [InlineData("http://python.org/", "4c565f0d-3f5a-5890-b41b-20cf47701c5e")]
    public void FromProductId_MatchesPythonUuid5(string name, string expected)
    {
        Assert.Equal(Guid.Parse(expected), PointIds.FromProductId(name));
    }

    [Fact]
    public void FromProductId_IsVersion5AndRfcVariant()
    {
        var id = PointIds.FromProductId("any-product").ToString();
        Assert.Equal('5', id[14]);
        Assert.Contains(id[19], "89ab");
    }
}
