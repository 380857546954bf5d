namespace Gme.Pipeline.Quality;

/// <summary>
/// The gate in place while no eval-based one is registered: it does not measure search quality, lets the candidate
/// through on validation alone (counts, vector soundness, self-search, which the run has already checked), and says
/// so every time, as a warning in the log and as an unmeasured verdict in the validation report, so that nobody
/// mistakes it for a passed quality check. Replace it by registering another <see cref="IQualityGate"/>.
/// </summary>
internal sealed class ValidationOnlyQualityGate(ILogger<ValidationOnlyQualityGate> logger) : IQualityGate
{
    public const string NotConfigured = "no quality gate is configured: search quality was not measured, validation alone decided";

    public Task<QualityVerdict> EvaluateAsync(QualityGateRequest request, CancellationToken cancellationToken = default)
    {
        logger.NoQualityGate(request.RunId, request.Candidate);
        return Task.FromResult(new QualityVerdict(Passed: true, Measured: false, NotConfigured));
    }
}
