using Microsoft.Extensions.Options;

namespace Gme.Core.Lexical;

/// <summary>
/// Turns a product's payload into its BM25 document vector and a query into its query vector, for every store alike.
/// A document term's weight is the BM25 term part, <c>tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))</c>, over
/// field-weighted counts; a query term weighs 1. The IDF part, <c>ln(1 + (N − n + 0.5) / (n + 0.5))</c>, is applied by
/// the store at search time (Qdrant's IDF modifier, or <see cref="Bm25.Idf"/> in the embedded store), so a new
/// product never changes another's stored vector. Score = Σ over query terms of idf · document weight.
/// </summary>
public sealed class LexicalEncoder
{
    /// <summary>Where each canonical field may be found in a payload (the ingest's column aliases).</summary>
    private static readonly Dictionary<string, string[]> s_aliases = new(StringComparer.Ordinal)
    {
        ["name"] = ["name", "prod_name", "title", "product_name"],
        ["product_type"] = ["product_type", "product_type_name"],
        ["product_group"] = ["product_group", "product_group_name"],
        ["colour"] = ["colour", "colour_group_name", "color"],
        ["department"] = ["department", "department_name"],
        ["description"] = ["description", "detail_desc"],
        ["pattern"] = ["graphical_appearance", "graphical_appearance_name", "pattern"],
        ["garment_group"] = ["garment_group", "garment_group_name"],
        ["index_group"] = ["index_group", "index_group_name"],
        ["section"] = ["section", "section_name"],
    };

    private readonly LexicalOptions _options;
    private readonly (string[] Keys, double Weight)[] _fields;
    private readonly Dictionary<string, string[]> _synonyms;

    public LexicalEncoder(IOptions<LexicalOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _fields = _options.FieldWeights
            .Where(f => f.Value > 0)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => (s_aliases.GetValueOrDefault(f.Key, [f.Key]), f.Value))
            .ToArray();
        _synonyms = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (word, synonyms) in _options.Synonyms)
        {
            foreach (var key in LexicalTokenizer.Terms(word))
            {
                _synonyms[key] = [.. _synonyms.GetValueOrDefault(key, []), .. synonyms.SelectMany(LexicalTokenizer.Terms)];
            }
        }
    }

    /// <summary>The encoder with the default settings.</summary>
    public static LexicalEncoder Default { get; } = new(Microsoft.Extensions.Options.Options.Create(new LexicalOptions()));

    public SparseVector Document(IReadOnlyDictionary<string, string?> payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var counts = new Dictionary<uint, double>();
        var length = 0.0;
        foreach (var (keys, weight) in _fields)
        {
            var value = keys.Select(k => payload.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
            foreach (var term in LexicalTokenizer.Terms(value))
            {
                var id = LexicalTokenizer.TermId(term);
                counts[id] = counts.GetValueOrDefault(id) + weight;
                length += weight;
            }
        }

        var (k1, b) = (_options.K1, _options.B);
        var norm = k1 * (1 - b + (b * length / _options.AverageDocumentLength));
        return SparseVector.From(counts.ToDictionary(c => c.Key, c => (float)(c.Value * (k1 + 1) / (c.Value + norm))));
    }

    public LexicalOptions Options => _options;

    /// <summary>Each distinct query term once, weight 1; no synonyms.</summary>
    public static SparseVector Query(string? text) =>
        SparseVector.From(LexicalTokenizer.Terms(text).Select(LexicalTokenizer.TermId).Distinct().ToDictionary(id => id, _ => 1f));

    /// <summary>
    /// The query's terms at weight 1, plus the configured synonyms of each at <see cref="LexicalOptions.SynonymWeight"/>
    /// (a word that is both in the query and a synonym keeps weight 1).
    /// </summary>
    public SparseVector QueryWithSynonyms(string? text)
    {
        var weights = new Dictionary<uint, float>();
        var terms = LexicalTokenizer.Terms(text);
        foreach (var term in terms)
        {
            weights[LexicalTokenizer.TermId(term)] = 1f;
        }

        foreach (var term in terms)
        {
            foreach (var synonym in _synonyms.GetValueOrDefault(term, []))
            {
                weights.TryAdd(LexicalTokenizer.TermId(synonym), (float)_options.SynonymWeight);
            }
        }

        return SparseVector.From(weights);
    }
}
