using Gme.VectorStores.Embedded;

namespace Gme.Tests.Vectors;

public sealed class PayloadPoolTests
{
    private static Dictionary<string, string?> Product(string id, string colour, string? description) => new(StringComparer.Ordinal)
    {
        ["gme_product_id"] = id,
        ["colour"] = colour,
        ["description"] = description,
        ["empty"] = null,
    };

    [Fact]
    public void Compact_ReadsBackEveryKeyAndValueInOrder()
    {
        var original = Product("0130035001", "Black", "Umbrella with a telescopic handle.");
        var compact = new PayloadPool().Compact(original);

        Assert.IsType<CompactPayload>(compact);
        Assert.Equal(original.ToList(), compact.ToList());
        Assert.Equal(original.Keys, compact.Keys);
        Assert.Equal(original.Values, compact.Values);
        Assert.Equal(4, compact.Count);
        Assert.Equal("Black", compact["colour"]);
        Assert.True(compact.TryGetValue("empty", out var empty));
        Assert.Null(empty);
        Assert.True(compact.ContainsKey("empty"));
        Assert.False(compact.TryGetValue("missing", out _));
        Assert.False(compact.ContainsKey("missing"));
        Assert.Throws<KeyNotFoundException>(() => compact["missing"]);
        // A key built at run time (not the pooled instance) is found by value.
        Assert.Equal("Black", compact[new string("colour".ToCharArray())]);
    }

    [Fact]
    public void Compact_SharesKeysAndShortValues_NotLongOnes()
    {
        var pool = new PayloadPool();
        var longText = new string('x', PayloadPool.MaxPooledLength + 1);
        // Distinct string instances with equal contents, as two decoded log records bring.
        var a = pool.Compact(Product("1", new string("Black".ToCharArray()), new string(longText.ToCharArray())));
        var b = pool.Compact(Product("2", new string("Black".ToCharArray()), new string(longText.ToCharArray())));

        Assert.Same(a.Keys.First(), b.Keys.First());
        Assert.Same(a["colour"], b["colour"]);
        Assert.NotSame(a["description"], b["description"]);
        Assert.Equal(a["description"], b["description"]);
    }

    [Fact]
    public void Compact_PastTheBound_KeepsValuesAsTheyCome()
    {
        var pool = new PayloadPool(maxPooledStrings: 2);
        // The first key and value fill the pool; later values are the payload's own, still read back right.
        var first = pool.Compact(Product("1", new string("Red".ToCharArray()), null));
        var second = pool.Compact(Product("1", new string("Red".ToCharArray()), null));

        Assert.NotSame(first["colour"], second["colour"]);
        Assert.Equal("Red", second["colour"]);
        Assert.Same(first.Keys.First(), second.Keys.First());
    }

    [Fact]
    public void Compact_OfACompactPayload_IsTheSameObject()
    {
        var pool = new PayloadPool();
        var compact = pool.Compact(Product("1", "Black", null));
        Assert.Same(compact, pool.Compact(compact));
    }
}
