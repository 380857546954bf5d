using System.Globalization;
using Gme.Core.Vectors;
using Gme.Pipeline.Evaluation;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Quality;

/// <summary>
/// The eval-based gate (issue 13 item 4): runs the collection's labelled queries (<see cref="QualityGateOptions"/>)
/// through <see cref="SearchEvaluator"/> against the candidate version, with this process's query model (the one that
/// built the candidate), and refuses it below the minimum nDCG@10 or precision@10, or when its nDCG@10 falls more than
/// the allowed drop below the live version's (measured by this gate when that one went live: the live version may be
/// of another model, whose queries this process cannot embed). A collection without queries has no gate: the
/// <see cref="ValidationOnlyQualityGate"/> answer. The evaluator is resolved only when a gate is configured, so hosts
/// without a search stack (tests of the seam) keep working.
/// </summary>
internal sealed class EvalQualityGate(
    IServiceProvider services,
    IOptionsMonitor<QualityGateOptions> options,
    ValidationOnlyQualityGate unconfigured) : IQualityGate
{
    public async Task<QualityVerdict> EvaluateAsync(QualityGateRequest request, CancellationToken cancellationToken = default)
    {
        var gate = options.CurrentValue.For(request.Collection ?? request.Candidate);
        if (string.IsNullOrWhiteSpace(gate.Queries))
        {
            return await unconfigured.EvaluateAsync(request, cancellationToken);
        }

        var queries = await QuerySetReader.ReadAsync(gate.Queries, cancellationToken);

        // A gate's queries read a new version's vectors once, before it goes live: nothing worth keeping mapped.
        using var oneOff = OneOffReads.Begin();
        var report = await services.GetRequiredService<SearchEvaluator>()
            .EvaluateAsync(queries, gate.Mode!.Value, 10, request.Candidate, cancellationToken);
        var failures = new List<string>();
        var figures = new List<string>
        {
            F($"nDCG@10 {report.Ndcg10:0.000}{Limit(gate.MinNdcgAt10, "min")}"),
            F($"P@10 {report.Precision:0.000}{Limit(gate.MinPrecisionAt10, "min")}"),
        };
        if (report.Ndcg10 < gate.MinNdcgAt10)
        {
            failures.Add(F($"nDCG@10 {report.Ndcg10:0.000} is below {gate.MinNdcgAt10:0.000}"));
        }

        if (report.Precision < gate.MinPrecisionAt10)
        {
            failures.Add(F($"P@10 {report.Precision:0.000} is below {gate.MinPrecisionAt10:0.000}"));
        }

        if (gate.MaxDropNdcg is { } maxDrop && request.LiveNdcg10 is { } live)
        {
            var drop = live - report.Ndcg10;
            figures.Add(F($"drop vs live {request.Live} {drop:0.000} (max {maxDrop:0.000})"));
            if (drop > maxDrop)
            {
                failures.Add(F($"nDCG@10 fell {drop:0.000} below live {request.Live} ({live:0.000}), more than {maxDrop:0.000}"));
            }
        }

        var summary = F($"{queries.Count} queries ({gate.Mode.Value.ToString().ToLowerInvariant()}) on {request.Candidate}: {string.Join(", ", figures)}");
        return new QualityVerdict(failures.Count == 0, true, failures.Count == 0 ? summary : $"{string.Join("; ", failures)} ({summary})")
        {
            Ndcg10 = report.Ndcg10,
            Precision10 = report.Precision,
        };
    }

    private static string Limit(double? limit, string what) => limit is { } l ? F($" ({what} {l:0.000})") : "";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
