using System.CommandLine;
using System.Diagnostics;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Contracts;
using Gme.Core;
using Gme.Core.Errors;
using Gme.Core.Ledger;
using Gme.Core.Storage;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Pipeline;
using Gme.Pipeline.Versions;
using Gme.Sources;
using Gme.Sources.HuggingFace;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gme.Cli.Commands;

/// <summary>`gme run`: runs (or resumes) the whole pipeline in this process and waits until it is validated.</summary>
internal static class RunCommand
{
    private static readonly string[] s_fileTypes = [".csv", ".jsonl", ".ndjson", ".json", ".parquet"];

    public static Command Create()
    {
        var sample = new Option<bool>("--sample") { Description = "Generate a synthetic catalogue (photos drawn in code) and run on it" };
        var products = new Option<int>("--products") { Description = "Products in the sample catalogue", DefaultValueFactory = _ => 300 };
        var source = new Option<string?>("--source")
        {
            Description = "A local catalogue: CSV, JSONL or Parquet (image column: URL or path relative to the file), "
                + "or a HuggingFace dataset: hf://owner/name[@revision][:split]",
        };
        var limit = new Option<int>("--limit") { Description = "Stop after this many products (pilot runs)" };
        var map = new Option<string[]>("--map")
        {
            Description = "Column mapping field=column (fields: id, name, product_type, product_group, colour, department, description, image)",
            AllowMultipleArgumentsPerToken = false,
        };

        var imagesRoot = new Option<string?>("--images-root")
        {
            Description = "The folder local image paths must lie in (default: the catalogue file's folder); paths outside it, "
                + "or through links leading out of it, are refused per row",
        };

        var maxCost = new Option<double?>("--max-cost")
        {
            Description = "Cost cap in USD for a paid provider (gemini): once reached nothing more is submitted and the run pauses (exit 4); run again to resume",
        };

        var allowRemovals = new Option<bool>("--allow-removals")
        {
            Description = "Let this snapshot remove more of the catalogue than Gme:Ingest:MaxRemovedPercent (20 %) allows; "
                + "without it a run whose source lacks that many known products is refused (exit 2) and nothing is removed",
        };

        var command = new Command("run", "Ingest, download, embed and index a catalogue, then validate; running again resumes");
        command.Options.Add(sample);
        command.Options.Add(products);
        command.Options.Add(source);
        command.Options.Add(limit);
        command.Options.Add(map);
        command.Options.Add(imagesRoot);
        command.Options.Add(maxCost);
        command.Options.Add(allowRemovals);
        command.SetAction((result, ct) => CliAction.RunAsync(() =>
        {
            if (result.GetValue(maxCost) is { } cap)
            {
                if (cap <= 0)
                {
                    throw new CliException("--max-cost must be more than 0 (USD)");
                }

                // The embedded host reads its settings from the environment; this process is the whole run.
                Environment.SetEnvironmentVariable("Gme__Gemini__MaxCostUsd", cap.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            var spec = BuildSpec(result.GetValue(sample), result.GetValue(products), result.GetValue(source), result.GetValue(limit), result.GetValue(map) ?? [],
                result.GetValue(imagesRoot)) with { AllowRemovals = result.GetValue(allowRemovals) };
            return ExecuteAsync(GmeCommandLine.Common(result), spec, ct);
        }));
        return command;
    }

    internal static SourceSpec BuildSpec(bool sample, int products, string? source, int limit, string[] map, string? imagesRoot = null)
    {
        if (sample == (source is not null))
        {
            throw new CliException("choose one input: --sample or --source FILE|hf://DATASET");
        }

        if (limit < 0 || products < 1 || products > 1_000_000)
        {
            throw new CliException("--limit must be 0 or more and --products between 1 and 1,000,000");
        }

        var columnMap = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in map)
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new CliException($"--map '{pair}' is not field=column");
            }

            columnMap[parts[0]] = parts[1];
        }

        if (sample)
        {
            return new SourceSpec { Kind = "sample", SampleProducts = products, Limit = limit, ColumnMap = columnMap };
        }

        imagesRoot = imagesRoot is null ? null : ImagesRootDirectory(imagesRoot, "--images-root");

        if (source!.StartsWith(HuggingFaceDatasetRef.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var dataset = HuggingFaceDatasetRef.Parse(source);
                return new SourceSpec { Kind = "hf", Location = dataset.ToString(), Limit = limit, ColumnMap = columnMap, ImagesRoot = imagesRoot };
            }
            catch (FormatException ex)
            {
                throw new CliException(ex.Message);
            }
        }

        var file = new FileInfo(source);
        if (!s_fileTypes.Contains(file.Extension.ToLowerInvariant()))
        {
            throw new BadInputException(file.FullName, $"unsupported file type '{file.Extension}' (use .csv, .jsonl or .parquet)");
        }

        // Missing, a directory, a dangling link, empty, a FIFO or a device: refused here, before a host starts, and
        // without opening the file (a FIFO would block).
        CatalogueFile.EnsureRegularFile(file.FullName);

        return new SourceSpec { Kind = "file", Location = file.FullName, Limit = limit, ColumnMap = columnMap, ImagesRoot = imagesRoot };
    }

    private static string ImagesRootDirectory(string path, string setting)
    {
        var directory = new DirectoryInfo(path);
        return directory.Exists ? directory.FullName : throw new CliException($"{setting} '{directory.FullName}' is not an existing folder");
    }

    /// <summary>Products the run will have, when known before ingest (the sample's size, or a limit).</summary>
    private static long? KnownProducts(SourceSpec spec) => spec.Kind == "sample"
        ? (spec.Limit > 0 ? Math.Min(spec.Limit, spec.SampleProducts) : spec.SampleProducts)
        : spec.Limit > 0 ? spec.Limit : null;

    /// <param name="newVersion">`gme reindex`: build a new index version of the collection from this source.</param>
    internal static async Task<int> ExecuteAsync(CommonOptions common, SourceSpec spec, CancellationToken ct, bool newVersion = false)
    {
        var stopwatch = Stopwatch.StartNew();
        DamagedData.ThrowIfLedgerDamaged(common);
        common = CollectionDefaults.ForRun(common, spec);
        var host = CliHost.BuildPipeline(common, spec.Kind == "sample");
        try
        {
            await host.StartAsync(ct);
            var services = host.Services;
            if (spec.ImagesRoot is null && spec.Kind != "sample"
                && services.GetRequiredService<IOptions<IngestOptions>>().Value.ImagesRoot is { Length: > 0 } configured)
            {
                // Stored in the run's source, so a resume keeps this root even if the setting changes later.
                spec = spec with { ImagesRoot = ImagesRootDirectory(configured, IngestOptions.SectionName + ":ImagesRoot") };
            }

            var description = spec.Kind switch
            {
                "sample" => $"sample catalogue ({spec.SampleProducts} products)",
                "hf" => HuggingFaceDatasetRef.Scheme + spec.Location,
                _ => spec.Location,
            };
            var starter = services.GetRequiredService<RunStarter>();
            var (runId, resumed) = newVersion
                ? await starter.StartNewVersionAsync(spec, description, ct)
                : await starter.StartOrResumeAsync(spec, description, ct);
            var versions = services.GetRequiredService<IndexVersions>();
            if (await versions.BuiltByAsync(runId, ct) is { } building)
            {
                Console.WriteLine($"Building version {building.Version} of '{building.Collection}' ({building.Physical}, {building.ModelId}) "
                    + "beside the live one; searches keep using the live version until this one passes validation and its gate");
            }

            Console.WriteLine($"{(resumed ? "Resuming" : "Starting")} run {runId} on {description} into collection '{services.GetRequiredService<IOptions<GmeOptions>>().Value.Collection}'; data in {Path.GetFullPath(common.DataDirectory)}");
            var provider = services.GetRequiredService<IOptions<GmeOptions>>().Value.Provider;
            var paths = services.GetRequiredService<DataPaths>();
            var recorded = DurationEstimate.Read(paths);
            var cores = Environment.ProcessorCount;
            Console.WriteLine(DurationEstimate.Before(provider, KnownProducts(spec), recorded, cores));

            var bus = services.GetRequiredService<IBus>();
            await bus.Publish(new RunStarted { RunId = runId }, ct);
            if (resumed)
            {
                // The run saga takes a paused or failed run back on RunStarted; follow the run only once it has.
                await services.GetRequiredService<RunStarter>().WaitUntilResumedAsync(runId, TimeSpan.FromSeconds(30), ct);
                await services.GetRequiredService<PipelineRecovery>().RequeueAsync(runId, bus, releaseClaims: true, ct);
            }

            var status = services.GetRequiredService<LedgerStatus>();
            var final = await RunProgressView.FollowAsync(
                status, runId, ct, (counts, elapsed) => DurationEstimate.Remaining(provider, counts, elapsed, recorded, cores));
            stopwatch.Stop();
            if (!resumed && final.Counts.Status is RunStatus.Completed)
            {
                // A resumed run did only part of the work in this time, so only whole runs set the pace.
                var now = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
                await DurationEstimate.RecordAsync(paths, provider, final.Counts.Indexed, stopwatch.Elapsed.TotalSeconds, now);
            }

            var reasons = final.Counts.Failed > 0
                ? await status.RunFailureReasonsAsync(runId, RunSummaryView.TopReasons, CancellationToken.None)
                : [];
            var exit = RunSummaryView.Print(final, reasons, stopwatch.Elapsed);
            if (await versions.BuiltByAsync(runId, CancellationToken.None) is { } built)
            {
                Console.WriteLine(CollectionsCommand.Outcome(built));
            }

            return exit;
        }
        finally
        {
            // Bounded: whatever the run's outcome, the command answers within seconds of its last line.
            await CliHost.ShutDownAsync(host);
        }
    }
}
