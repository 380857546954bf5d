namespace Gme.Core.Lexical;

/// <summary>BM25's inverse document frequency, exactly as Qdrant's IDF modifier computes it.</summary>
public static class Bm25
{
    /// <param name="points">Points holding a (non-empty) sparse vector.</param>
    /// <param name="withTerm">Of those, the points holding the term.</param>
    public static double Idf(long points, long withTerm) =>
        Math.Log(1 + ((points - withTerm + 0.5) / (withTerm + 0.5)));
}
