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

    [Fact]
    public async Task EmbedQuery_Text_RelatedProductsAreCloserThanUnrelated()
    {
        var dress = await EmbedAsync("red summer dress");
        var sundress = await EmbedAsync("crimson sundress");
        var hammer = await EmbedAsync("steel hammer");

        var related = VectorAssert.Cosine(dress, sundress);
        var unrelated = VectorAssert.Cosine(dress, hammer);
        Assert.InRange(related, 0.45, 0.50);
        Assert.InRange(unrelated, 0.05, 0.12);
        VectorAssert.UnitLength(dress, MiniLmTextEncoder.Dimensions);
    }

    [Fact]
    public async Task EmbedQuery_Text_DoesNotDependOnBatchPadding()
    {
        var alone = await EmbedAsync("red summer dress");
        var batched = _encoder.Embed(["a much longer product description that forces padding on the short text", "red summer dress"], TestContext.Current.CancellationToken);

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
