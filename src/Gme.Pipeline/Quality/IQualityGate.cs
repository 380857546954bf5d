namespace Gme.Pipeline.Quality;

/// <summary>
/// The quality gate a validated index must pass before it goes live (issue 13 item 4): an implementation measures
/// search quality on labelled queries (`gme eval`: nDCG@10, precision@k against a minimum and against the live
/// version's figures) and refuses a candidate that is worse. The run's validation (stage 8) asks it after its own
/// checks; a refusal is a validation problem, so the run does not pass. Until an eval-based gate is registered,
/// <see cref="ValidationOnlyQualityGate"/> answers: it measures nothing and says so.
/// </summary>
public interface IQualityGate
{
    Task<QualityVerdict> EvaluateAsync(QualityGateRequest request, CancellationToken cancellationToken = default);
}

/// <param name="RunId">The run whose output is judged.</param>
/// <param name="Candidate">The collection (or, with index versions, the physical version) just built and validated.</param>
/// <param name="Live">The collection searches are answered from now, to compare against; null when there is none.</param>
public sealed record QualityGateRequest(Guid RunId, string Candidate, string? Live)
{
    /// <summary>The logical collection (whose gate settings apply); null: the candidate's name.</summary>
    public string? Collection { get; init; }

    /// <summary>nDCG@10 the gate measured on the live version when it went live; null when unknown.</summary>
    public double? LiveNdcg10 { get; init; }
}

/// <param name="Passed">Whether the candidate may go live.</param>
/// <param name="Measured">False when no quality was measured (no gate configured): the verdict rests on validation alone.</param>
/// <param name="Summary">One line for the report and the log: the figures and the limits, or why nothing was measured.</param>
public sealed record QualityVerdict(bool Passed, bool Measured, string Summary)
{
    /// <summary>The measured nDCG@10, kept with the version so that later candidates are compared with it.</summary>
    public double? Ndcg10 { get; init; }

    public double? Precision10 { get; init; }
}
