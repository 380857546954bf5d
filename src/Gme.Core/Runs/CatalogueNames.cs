using System.Text;
using System.Text.Json;
using Gme.Core.Sources;

namespace Gme.Core.Runs;

/// <summary>
/// The collection a run writes when nobody named one (`--collection`, <c>Gme:Collection</c>): the source's name, so
/// that two catalogues run into one data dir stay apart by default. A file's stem (without a trailing date or sequence
/// number, so that <c>catalogue-2026-11-30.csv</c> and <c>catalogue-2026-12-01.csv</c> are snapshots of one catalogue,
/// <c>catalogue</c>) or a HuggingFace dataset's name, cut to the collection name rule; the synthetic sample, and anything
/// with no usable name, is <c>products</c>.
/// </summary>
public static class CatalogueNames
{
    private const int MaxLength = 64;

    /// <summary>The name derived from the source alone.</summary>
    public static string FromSource(SourceSpec spec)
    {
        var raw = spec.Kind.ToLowerInvariant() switch
        {
            "file" => WithoutSnapshotSuffix(Path.GetFileNameWithoutExtension(spec.Location)),
            // owner/name[@revision][:split]: the dataset's own name.
            "hf" => spec.Location.Split('@', ':')[0].TrimEnd('/').Split('/')[^1],
            _ => null,
        };
        return Sanitize(raw) ?? GmeOptions.DefaultCollection;
    }

    /// <summary>
    /// The collection for a new run of <paramref name="spec"/>: its derived name, except where the data dir already
    /// holds the same source indexed as <c>products</c> (runs from before collections were named after their source),
    /// which keeps using that catalogue instead of indexing it a second time under a new name.
    /// </summary>
    /// <param name="spec">What the run reads.</param>
    /// <param name="earlierRuns">The collection and stored source of each run already in the ledger.</param>
    public static string ForRun(SourceSpec spec, IEnumerable<(string Collection, string SourceJson)> earlierRuns)
    {
        var derived = FromSource(spec);
        if (derived == GmeOptions.DefaultCollection)
        {
            return derived;
        }

        foreach (var (collection, sourceJson) in earlierRuns)
        {
            if (collection == GmeOptions.DefaultCollection && SameSource(spec, sourceJson))
            {
                return GmeOptions.DefaultCollection;
            }
        }

        return derived;
    }

    /// <summary>
    /// <paramref name="raw"/> cut to letters, digits, '_' and '-' (others become '-', runs of separators one, none
    /// at either end, at most 64), or null when nothing is left. A double '_' never survives: it separates a
    /// collection from its version (<c>NAME__v2</c>).
    /// </summary>
    public static string? Sanitize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var name = new StringBuilder(Math.Min(raw.Length, MaxLength));
        foreach (var c in raw)
        {
            var kept = char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '-';
            if (kept is '_' or '-' && (name.Length == 0 || name[^1] is '_' or '-'))
            {
                continue;
            }

            name.Append(kept);
            if (name.Length == MaxLength)
            {
                break;
            }
        }

        var trimmed = name.ToString().TrimEnd('_', '-');
        return trimmed.Length == 0 ? null : trimmed;
    }

    /// <summary>The stem without trailing all-digit parts (dates, sequence numbers); the stem itself when that is all it is.</summary>
    internal static string WithoutSnapshotSuffix(string stem)
    {
        var parts = stem.Split(['-', '_', '.', ' '], StringSplitOptions.RemoveEmptyEntries);
        var keep = parts.Length;
        while (keep > 0 && parts[keep - 1].All(char.IsAsciiDigit))
        {
            keep--;
        }

        if (keep == 0 || keep == parts.Length)
        {
            return stem;
        }

        // Cut the stem itself after its last kept part, so separators inside the name stay as they were.
        var cut = 0;
        for (var i = 0; i < keep; i++)
        {
            cut = stem.IndexOf(parts[i], cut, StringComparison.Ordinal) + parts[i].Length;
        }

        return stem[..cut];
    }

    private static bool SameSource(SourceSpec spec, string sourceJson)
    {
        try
        {
            var earlier = JsonSerializer.Deserialize<SourceSpec>(sourceJson);
            return earlier is not null
                && string.Equals(earlier.Kind, spec.Kind, StringComparison.OrdinalIgnoreCase)
                && string.Equals(earlier.Location, spec.Location, StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
