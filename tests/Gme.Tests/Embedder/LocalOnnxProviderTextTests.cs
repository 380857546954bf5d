using Gme.Core.Embeddings;
using Gme.Onnx;
using Microsoft.Extensions.AI;

namespace Gme.Tests.Embedder;

public sealed class LocalOnnxProviderTextTests(LocalOnnxProviderFixture fixture) : IClassFixture<LocalOnnxProviderFixture>
{
    private const long Unknown = 100;
    private readonly MiniLmTextEncoder _encoder = new(new LocalModelOptions());

    [Fact]
    public void Tokenize_PlainText_MatchesBertUncasedIds()
    {
        Assert.Equal([101, 2417, 2621, 4377, 102], _encoder.Tokenize("Red Summer dress"));
    }

    [Fact]
    public void Tokenize_AccentedText_StripsAccentsInsteadOfUnknown()
    {
        var accented = _encoder.Tokenize("Crème brûlée");

        Assert.DoesNotContain(Unknown, accented);
        Assert.Equal(_encoder.Tokenize("creme brulee"), accented);
    }

    [Theory]
    [InlineData("ÉTÉ Ångström", "ete angstrom")]
    [InlineData("cre\u0300me", "creme")]
    [InlineData("Ελληνικά", "ελληνικα")]
    public void Tokenize_AccentsInAnyForm_MatchTheUnaccentedText(string accented, string plain)
    {
        Assert.Equal(_encoder.Tokenize(plain), _encoder.Tokenize(System.Text.RegularExpressions.Regex.Unescape(accented)));
    }

    [Fact]
    public void Tokenize_LongText_TruncatesToMaxTokensEndingWithSep()
    {
        var tokens = _encoder.Tokenize(string.Join(' ', Enumerable.Repeat("cotton", 1000)));

        Assert.Equal(new LocalModelOptions().MaxTokens, tokens.Length);
        Assert.Equal(102, tokens[^1]);
    }

    [Theory]
    [InlineData(LocalTextModel.MiniLm, 0.45, 0.50, 0.05, 0.12)]
    [InlineData(LocalTextModel.ArcticXs, 0.55, 0.61, 0.44, 0.51)]
    public void EmbedQuery_Text_RelatedProductsAreCloserThanUnrelated(
        LocalTextModel model, double relatedMin, double relatedMax, double unrelatedMin, double unrelatedMax)
    {
        using var encoder = new MiniLmTextEncoder(new LocalModelOptions { TextModel = model });
        var vectors = encoder.Embed(
            [.. new[] { "red summer dress", "crimson sundress", "steel hammer" }.Select(q => encoder.QueryPrefix + q)],
            TestContext.Current.CancellationToken);

        var related = VectorAssert.Cosine(vectors[0], vectors[1]);
        var unrelated = VectorAssert.Cosine(vectors[0], vectors[2]);
        Assert.InRange(related, relatedMin, relatedMax);
        Assert.InRange(unrelated, unrelatedMin, unrelatedMax);
        Assert.True(related - unrelated > 0.08, $"related {related:F3}, unrelated {unrelated:F3}");
        VectorAssert.UnitLength(vectors[0], MiniLmTextEncoder.Dimensions);
    }

    [Fact]
    public async Task EmbedQuery_Text_DoesNotDependOnBatchPadding()
    {
        var alone = await EmbedAsync("red summer dress");
        var batched = _encoder.Embed(
            ["a much longer product description that forces padding on the short text", _encoder.QueryPrefix + "red summer dress"],
            TestContext.Current.CancellationToken);

        Assert.Equal(1.0, VectorAssert.Cosine(alone, batched[1]), 4);
    }

    [Fact]
    public void Queries_TextSpace_TakesTextOnly()
    {
        var space = fixture.Provider.Queries[LocalOnnxProvider.TextSpace];

        Assert.NotNull(space.Text);
        Assert.Null(space.Image);
        Assert.Null(space.TextAndImage);
        Assert.Equal(Modality.Text, space.Accepts);
    }

    [Fact]
    public void Queries_UnknownSpace_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => fixture.Provider.Queries["product"]);

        Assert.Contains("'product'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbedQuery_EmptyText_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => EmbedAsync("  "));
    }

    private async Task<float[]> EmbedAsync(string text) =>
        (await fixture.Provider.Queries[LocalOnnxProvider.TextSpace].Text!.GenerateVectorAsync(text, cancellationToken: TestContext.Current.CancellationToken)).ToArray();
}
