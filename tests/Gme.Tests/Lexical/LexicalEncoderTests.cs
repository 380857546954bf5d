using Gme.Core.Lexical;
using Microsoft.Extensions.Options;

namespace Gme.Tests.Lexical;

public sealed class LexicalEncoderTests
{
    [Theory]
    [InlineData("Dresses", "dress")]
    [InlineData("dress", "dress")]
    [InlineData("hoodies", "hoody")]
    [InlineData("trousers", "trouser")]
    [InlineData("boxes", "box")]
    [InlineData("jeans", "jean")]
    [InlineData("bus", "bus")]
    [InlineData("striped", "strip")]
    [InlineData("stripe", "strip")]
    [InlineData("stripes", "strip")]
    [InlineData("knitted", "knit")]
    [InlineData("checked", "check")]
    [InlineData("padding", "pad")]
    public void Terms_PluralsAndDescriptiveFormsReduced(string word, string term) =>
        Assert.Equal([term], LexicalTokenizer.Terms(word));

    [Fact]
    public void Terms_FoldsAccentsCaseAndPunctuation_DropsStopWords() =>
        Assert.Equal(["t", "shirt", "crem", "colour"], LexicalTokenizer.Terms("A T-Shirt, in CRÈME colour!"));

    [Fact]
    public void Query_DistinctTermsWeightOne_SortedByTermId()
    {
        var query = LexicalEncoder.Query("red red dress");

        Assert.Equal(2, query.Count);
        Assert.All(query.Values, v => Assert.Equal(1f, v));
        Assert.Equal(query.Indices.Order(), query.Indices);
    }

    [Fact]
    public void Document_FieldWeightsCount_NameWordOutweighsDescriptionWord()
    {
        var vector = LexicalEncoder.Default.Document(new Dictionary<string, string?>
        {
            ["name"] = "Lola dress",
            ["description"] = "Short dress in cotton jersey.",
        });

        var weights = vector.Indices.Zip(vector.Values).ToDictionary(p => p.First, p => p.Second);
        Assert.True(weights[LexicalTokenizer.TermId("lola")] > weights[LexicalTokenizer.TermId("cotton")]);
        Assert.True(weights[LexicalTokenizer.TermId("dress")] > weights[LexicalTokenizer.TermId("lola")]);
    }

    [Fact]
    public void Document_HmColumnNamesAreTheSameFields()
    {
        var canonical = LexicalEncoder.Default.Document(new Dictionary<string, string?> { ["name"] = "Lola", ["product_type"] = "Dress", ["colour"] = "Black" });
        var hm = LexicalEncoder.Default.Document(new Dictionary<string, string?> { ["prod_name"] = "Lola", ["product_type_name"] = "Dress", ["colour_group_name"] = "Black" });

        Assert.Equal(canonical.Indices, hm.Indices);
        Assert.Equal(canonical.Values, hm.Values);
    }

    [Fact]
    public void Document_ZeroWeightLeavesAFieldOut()
    {
        var options = new LexicalOptions();
        options.FieldWeights["description"] = 0;
        var encoder = new LexicalEncoder(Options.Create(options));

        var vector = encoder.Document(new Dictionary<string, string?> { ["name"] = "Lola", ["description"] = "cotton" });

        Assert.DoesNotContain(LexicalTokenizer.TermId("cotton"), vector.Indices);
        Assert.Contains(LexicalTokenizer.TermId("lola"), vector.Indices);
    }

    [Fact]
    public void Idf_MatchesQdrantsFormula() =>
        Assert.Equal(Math.Log(1 + ((100 - 10 + 0.5) / (10 + 0.5))), Bm25.Idf(100, 10), 12);

    [Fact]
    public void Options_NoPositiveWeight_IsInvalid()
    {
        var options = new LexicalOptions { FieldWeights = new() { ["name"] = 0 } };

        Assert.NotEmpty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
    }
}
