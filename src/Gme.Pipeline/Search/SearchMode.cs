namespace Gme.Pipeline.Search;

/// <summary>
/// Which retrieval a text query uses: the dense vectors, BM25 over the product's text fields, or both fused by
/// reciprocal rank (the default). Image and "more like this" queries are always dense.
/// </summary>
public enum SearchMode
{
    Hybrid,
    Dense,
    Lexical,
}
