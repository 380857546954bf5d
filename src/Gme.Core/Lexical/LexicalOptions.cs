using System.ComponentModel.DataAnnotations;
using Gme.Core.Vectors;

namespace Gme.Core.Lexical;

/// <summary>
/// BM25 over the product's text fields (section <c>Gme:Lexical</c>). A field's weight multiplies its term counts
/// (BM25F-style), so a word in the name counts more than the same word in the description. Changing these settings
/// changes the stored sparse vectors: the embedded store recomputes them when it loads a collection; a Qdrant
/// collection keeps the old ones until its products are upserted again.
/// </summary>
public sealed class LexicalOptions : IValidatableObject
{
    public const string SectionName = "Gme:Lexical";

    /// <summary>Term-frequency saturation.</summary>
    [Range(0.0, 10.0)]
    public double K1 { get; set; } = 1.2;

    /// <summary>Length normalisation (0 none, 1 full).</summary>
    [Range(0.0, 1.0)]
    public double B { get; set; } = 0.75;

    /// <summary>
    /// The weighted length BM25 normalises against. Fixed rather than measured over the collection, so a product's
    /// sparse vector depends on the product alone (upserts stay independent, and Qdrant, which only applies the IDF
    /// part, scores exactly as the embedded store).
    /// </summary>
    [Range(1.0, 100_000.0)]
    public double AverageDocumentLength { get; set; } = 40;

    /// <summary>
    /// Weight per field. Keys are the canonical fields (<c>name</c>, <c>product_type</c>, <c>colour</c>,
    /// <c>product_group</c>, <c>department</c>, <c>description</c>, and the H&amp;M extras <c>pattern</c>,
    /// <c>garment_group</c>, <c>index_group</c>, <c>section</c>), which also match the H&amp;M column names, or any
    /// payload key; a field a catalogue lacks is simply empty. A weight of 0 leaves the field out.
    /// </summary>
    public Dictionary<string, double> FieldWeights { get; set; } = new(StringComparer.Ordinal)
    {
        ["name"] = 2,
        ["product_type"] = 2,
        ["colour"] = 2,
        ["product_group"] = 1,
        ["description"] = 1,
        ["pattern"] = 1,
        ["garment_group"] = 1,
        ["index_group"] = 1,
        ["section"] = 1,
    };

    /// <summary>How a hybrid search fuses its legs: <c>Rrf</c> or <c>Dbsf</c> (both as Qdrant computes them).</summary>
    public FusionMethod Fusion { get; set; } = FusionMethod.Dbsf;

    /// <summary>RRF's k (Qdrant's default is 2; its Query API takes another from 1.16).</summary>
    [Range(1, 1000)]
    public int RrfK { get; set; } = RankFusion.QdrantK;

        /// <summary>
    /// Query-side synonyms: a query word also searches for these words (each at <see cref="SynonymWeight"/>).
    /// Words are matched after tokenising, so plurals and case do not matter. The default is a short list of common
    /// apparel words (British and American), written while reading the H&amp;M sample's failures: a catalogue in another
    /// language or trade replaces it (<c>Gme:Lexical:Synonyms:jumper:0=sweater</c>), and an empty list turns it off.
    /// </summary>
    public Dictionary<string, string[]> Synonyms { get; set; } = new(StringComparer.Ordinal)
    {
        ["jumper"] = ["sweater", "pullover"],
        ["pullover"] = ["sweater", "jumper"],
        ["sweater"] = ["jumper"],
        ["knickers"] = ["briefs"],
        ["briefs"] = ["knickers"],
        ["swimsuit"] = ["swimwear", "swimsuit"],
        ["trainers"] = ["sneakers"],
        ["sneakers"] = ["trainers"],
        ["kids"] = ["children"],
        ["men"] = ["menswear"],
        ["women"] = ["ladieswear"],
        ["ladies"] = ["ladieswear"],
        ["gym"] = ["sport"],
        ["sportswear"] = ["sport"],
        ["pyjamas"] = ["pyjama", "nightwear"],
        ["pajamas"] = ["pyjama", "nightwear"],
        ["sleep"] = ["nightwear", "pyjama"],
        ["handbag"] = ["bag"],
        ["jewellery"] = ["earring", "necklace", "ring", "bracelet"],
        ["jewelry"] = ["earring", "necklace", "ring", "bracelet"],
        ["tee"] = ["t-shirt"],
    };

    /// <summary>The query weight of a synonym term (the word itself weighs 1).</summary>
    [Range(0.0, 1.0)]
    public double SynonymWeight { get; set; } = 0.5;

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FieldWeights.Count == 0 || FieldWeights.Values.All(w => w <= 0))
        {
            yield return new ValidationResult("Gme:Lexical:FieldWeights needs at least one field with a positive weight.");
        }

        foreach (var (field, weight) in FieldWeights)
        {
            if (weight is < 0 or > 100 || double.IsNaN(weight))
            {
                yield return new ValidationResult($"Gme:Lexical:FieldWeights:{field} must be between 0 and 100 (got {weight}).");
            }
        }
    }
}
