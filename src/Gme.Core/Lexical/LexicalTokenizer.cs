using System.Globalization;
using System.Text;

namespace Gme.Core.Lexical;

/// <summary>
/// Splits text into index terms, the same way for products and queries in every store: Unicode letters and digits
/// (accents folded, lower-cased), English stop words dropped, and plurals reduced (dresses -> dress, hoodies -> hoody,
/// trousers -> trouser) so a query word finds its plural. Hyphens split (t-shirt -> t, shirt), which keeps "t shirt",
/// "t-shirt" and "tshirt" partly matching. A term's id is a stable 32-bit FNV-1a hash of its UTF-8 bytes, the index
/// Qdrant stores it under; collisions only merge two rare terms' postings.
/// </summary>
public static class LexicalTokenizer
{
    /// <summary>Longer runs are cut: a term is a word, and the cap bounds the work per token.</summary>
    public const int MaxTermLength = 40;

    private static readonly HashSet<string> s_stopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "in", "into", "is", "it", "its", "of",
        "on", "or", "that", "the", "this", "to", "with", "some", "something", "me", "my", "i", "want", "looking",
    };

    public static List<string> Terms(string? text)
    {
        var terms = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return terms;
        }

        var folded = Fold(text);
        var start = -1;
        for (var i = 0; i <= folded.Length; i++)
        {
            var inWord = i < folded.Length && char.IsLetterOrDigit(folded[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var word = folded.Substring(start, Math.Min(i - start, MaxTermLength));
                if (!s_stopWords.Contains(word))
                {
                    terms.Add(Stem(word));
                }

                start = -1;
            }
        }

        return terms;
    }

    public static uint TermId(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var hash = 2166136261u;
        Span<byte> buffer = stackalloc byte[MaxTermLength * 4];
        var length = Encoding.UTF8.GetBytes(term.AsSpan(0, Math.Min(term.Length, MaxTermLength)), buffer);
        foreach (var b in buffer[..length])
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }

    /// <summary>
    /// Plurals, then the -ed/-ing forms garments are described with (striped, checked, knitted, lined), then a final
    /// silent e and a doubled consonant, so "stripe", "striped" and "stripes" meet, as do "knit" and "knitted". Kept
    /// light on purpose: stronger stemming merges words that name different garments.
    /// </summary>
    internal static string Stem(string word)
    {
        if (word.Length <= 3 || word.Any(char.IsDigit))
        {
            return word;
        }

        var plural = StemPlural(word);
        var stem = plural.Length >= 6 && plural.EndsWith("ing", StringComparison.Ordinal) ? plural[..^3]
            : plural.Length >= 5 && plural.EndsWith("ed", StringComparison.Ordinal) ? plural[..^2]
            : plural;
        if (stem.Length >= 4 && stem.EndsWith('e') && !IsVowel(stem[^2]))
        {
            stem = stem[..^1];
        }

        if (stem.Length >= 4 && stem[^1] == stem[^2] && !IsVowel(stem[^1]) && stem[^1] is not ('s' or 'l' or 'z'))
        {
            stem = stem[..^1];
        }

        return stem;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';

    private static string StemPlural(string word)
    {

        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            return word[..^3] + "y";
        }

        if (word.EndsWith("sses", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal)
            || word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        return word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal)
            && !word.EndsWith("us", StringComparison.Ordinal) && !word.EndsWith("is", StringComparison.Ordinal)
            ? word[..^1]
            : word;
    }

    private static string Fold(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.ToString();
    }
}
