using System.ComponentModel.DataAnnotations;
using Gme.Pipeline.Search;

namespace Gme.Pipeline.Quality;

/// <summary>
/// The quality gate (section <c>Gme:Quality</c>): a labelled query set and the limits a new index version must meet
/// before it goes live. The top-level values apply to every collection; <see cref="Collections"/> overrides them per
/// collection (<c>Gme:Quality:Collections:hm:MinNdcgAt10</c>). No <see cref="Queries"/> means no gate.
/// </summary>
public sealed class QualityGateOptions
{
    public const string SectionName = "Gme:Quality";

    /// <summary>Labelled queries (JSONL or TSV, as `gme eval --queries` reads); empty: no gate, validation alone decides.</summary>
    public string? Queries { get; set; }

    /// <summary>Lowest nDCG@10 a candidate may have.</summary>
    [Range(0.0, 1.0)]
    public double? MinNdcgAt10 { get; set; }

    /// <summary>Lowest precision@10 a candidate may have.</summary>
    [Range(0.0, 1.0)]
    public double? MinPrecisionAt10 { get; set; }

    /// <summary>Largest fall of nDCG@10 against the live version's (as measured when it went live) a candidate may show.</summary>
    [Range(0.0, 1.0)]
    public double? MaxDropNdcg { get; set; }

    /// <summary>
    /// How the queries search. Dense by default: the gate judges the vectors a version changes, and the lexical leg,
    /// the same in every version, would lift a broken model over the limits.
    /// </summary>
    public SearchMode? Mode { get; set; }

    public Dictionary<string, QualityGateOptions> Collections { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The gate of <paramref name="collection"/>: its own values, the top-level ones where it has none.</summary>
    public QualityGateOptions For(string collection)
    {
        var own = Collections.GetValueOrDefault(collection);
        return new QualityGateOptions
        {
            Queries = own?.Queries ?? Queries,
            MinNdcgAt10 = own?.MinNdcgAt10 ?? MinNdcgAt10,
            MinPrecisionAt10 = own?.MinPrecisionAt10 ?? MinPrecisionAt10,
            MaxDropNdcg = own?.MaxDropNdcg ?? MaxDropNdcg,
            Mode = own?.Mode ?? Mode ?? SearchMode.Dense,
        };
    }
}
