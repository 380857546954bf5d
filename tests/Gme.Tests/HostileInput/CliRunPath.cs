using Gme.Cli.Commands;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Core.Errors;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Pipeline.Runs;
using Gme.Pipeline.Stages;
using Gme.Sources;
using MassTransit.Events;

namespace Gme.Tests.HostileInput;

/// <summary>
/// The path `gme run --source FILE` takes with a catalogue, in process, up to the end of ingest, and the CLI's outcome
/// (exit code and error line): what <see cref="HostileCatalogueTests"/> asserts per case, and what the runs API's
/// upload route must classify the same way (<see cref="HostileUploadTests"/>).
/// </summary>
internal static class CliRunPath
{
    /// <summary>The ingest stage's default (Gme:Ingest:MaxRejectedPercent).</summary>
    public const double MaxRejectedPercent = 50;

    /// <summary>The path of `gme run --source FILE`, in process, up to the end of ingest; then the CLI's outcome.</summary>
    public static async Task<CliCaseResult> RunAsync(string path, CancellationToken ct)
    {
        var result = new CliCaseResult();
        SourceSpec spec;
        try
        {
            // The CLI's own checks, before any host starts.
            spec = RunCommand.BuildSpec(sample: false, products: 300, source: path, limit: 0, map: []);
        }
        catch (Exception ex) when (CliOutcome.FromException(ex) is { } outcome)
        {
            result.Refused = BadInput.Find(ex) ?? throw new Xunit.Sdk.XunitException($"refused without bad input: {ex}");
            result.SourceRefused = true;
            result.Outcome = outcome;
            return result;
        }

        try
        {
            result.SourceRefused = true; // until the whole file has been read
            var source = new DatasetSourceFactory().Open(spec);
            var verdict = new IngestVerdict(spec, source.Description, MaxRejectedPercent);
            var mapper = new ProductMapper(spec.ColumnMap, source.BaseDirectory, spec.ImagesRoot);
            await foreach (var row in source.ReadRowsAsync(ct))
            {
                result.Rows++;
                result.SawCanary |= row.Fields.Values.Any(v => v?.Contains(CanaryFolder.CanaryText, StringComparison.Ordinal) == true);
                verdict.Observe(row);
                var (product, rejection) = mapper.Map(row);
                if (rejection is not null)
                {
                    result.Rejections.Add(rejection.Reason);
                    verdict.Rejected(rejection);
                }
                else if (product is not null)
                {
                    result.Accepted++;
                    if (product.ImageRef is { } image && Path.IsPathFullyQualified(image))
                    {
                        result.LocalImages.Add(image);
                    }
                }
            }

            result.SourceRefused = false;
            verdict.Check(result.Accepted, result.Rejections.Count);
        }
        catch (BadInputException ex)
        {
            // The ingest consumer throws; the bus faults the message; the run saga records the failure and its kind.
            result.Refused = ex;
            var (error, kind) = RunFailure.FromFault("RunStarted", new FaultExceptionInfo(ex));
            result.Outcome = RunSummaryView.Outcome(
                new RunProgressCounts(RunStatus.Failed, false, 0, 0, 0, 0, 0, 0, null, null, error, 0, null, kind), []);
            return result;
        }

        // The run goes on with the accepted products; rejected rows are recorded with their reason and do not count as
        // failed products. Here every accepted product is taken as indexed and validated: later stages are not run.
        result.Outcome = RunSummaryView.Outcome(
            new RunProgressCounts(RunStatus.Completed, true, result.Accepted, result.Accepted, result.Accepted, result.Accepted, result.Accepted, 0, true, null, null), []);
        return result;
    }
}

/// <summary>What <see cref="CliRunPath"/> saw of one catalogue.</summary>
    internal sealed class CliCaseResult
    {
        public BadInputException? Refused { get; set; }

        /// <summary>Refused by the CLI's checks or the source layer (not by the ingest verdict on rejected rows).</summary>
        public bool SourceRefused { get; set; }
        public int Rows { get; set; }
        public int Accepted { get; set; }
        public List<string> Rejections { get; } = [];
        public List<string> LocalImages { get; } = [];
        public bool SawCanary { get; set; }
        public CliOutcome Outcome { get; set; } = new(-1, "no outcome");
    }
