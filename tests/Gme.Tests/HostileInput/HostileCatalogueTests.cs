using System.Diagnostics;
using Gme.Cli.Commands;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Core.Storage;
using Gme.Pipeline.Runs;

namespace Gme.Tests.HostileInput;

/// <summary>
/// Every generated hostile catalogue (<see cref="HostileCatalogues"/>) taken, in process, along the path `gme run
/// --source FILE` takes: the CLI's checks before a host starts (<see cref="RunCommand.BuildSpec"/>), the dataset
/// source and the product mapper, the ingest verdict, the run saga's classification of a stage fault
/// (<see cref="RunFailure"/>) and the CLI's turning of the outcome into an exit code and its line
/// (<see cref="CliOutcome"/>, <see cref="RunSummaryView.Outcome"/>). Each case asserts its exit code (2 for a file the
/// user must fix, including one whose rows are all or mostly rejected; 0 when bad rows are rejected with a reason and
/// the run goes on), exactly one error line naming the file and no stack trace, that it ends within its bound, and
/// that nothing outside the case's folder is read: a FIFO canary next to it would block whoever opened it (the case
/// then overruns), and no accepted product may point at a file outside the folder (the next stage reads those).
/// Later stages (downloads, embedding) are not run here; HostileCatalogueRunTests runs the real CLI on a sample.
/// </summary>
public sealed class HostileCatalogueTests(CanaryFolder canaries) : IClassFixture<CanaryFolder>
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(5);

    private const double MaxRejectedPercent = CliRunPath.MaxRejectedPercent;

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in HostileCatalogues.Cases.Keys.Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Corpus_HasAtLeast500GeneratedCasesOfEveryKind()
    {
        var kinds = HostileCatalogues.Cases.Keys.GroupBy(CorpusKind).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", kinds.Select(g => $"{g.Key,-28} {g.Count(),4}")));
        TestContext.Current.TestOutputHelper?.WriteLine($"{"total",-28} {HostileCatalogues.Cases.Count,4}");

        Assert.True(HostileCatalogues.Cases.Count >= 500, $"{HostileCatalogues.Cases.Count} cases");
        foreach (var kind in new[] { "csv", "jsonl", "parquet", "csv-paths", "jsonl-paths", "parquet/footer-flip" })
        {
            Assert.Contains(kinds, g => g.Key.StartsWith(kind, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Run_HostileCatalogue_EndsWithItsExitCodeAndOneLineInTime(string name)
    {
        var hostile = HostileCatalogues.Cases[name];
        var dir = canaries.NewCatalogueFolder();
        var path = Path.GetFullPath(hostile.Create(dir));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(s_limit);

        var stopwatch = Stopwatch.StartNew();
        Task<CliCaseResult> run = Task.Run(() => CliRunPath.RunAsync(path, timeout.Token), timeout.Token);
        CliCaseResult result;
        try
        {
            result = await run.WaitAsync(s_limit * 2, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            // Something blocked (a FIFO opened, a parser spinning): let a blocked open go, then fail the case.
            canaries.ReleaseFifoReaders();
            throw new Xunit.Sdk.XunitException($"{name} did not finish within {s_limit * 2}: a blocking open (the canary FIFO?) or a runaway read");
        }

        stopwatch.Stop();
        Assert.True(stopwatch.Elapsed < s_limit, $"{name} took {stopwatch.Elapsed}");
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: exit {result.Outcome.ExitCode} in {stopwatch.Elapsed.TotalMilliseconds:F0} ms: {result.Outcome.ErrorLine}");

        // The source layer's outcome class.
        var actual = result.SourceRefused ? Outcome.FileRejected : result.Rejections.Count > 0 ? Outcome.RowsRejected : Outcome.Accepted;
        var evidence = result.SourceRefused ? result.Refused?.Message ?? "" : string.Join(" | ", result.Rejections.Take(5));
        if (hostile.Expected != Outcome.Any)
        {
            Assert.True(hostile.Expected == actual, $"{name}: expected {hostile.Expected}, got {actual}: {evidence}");
        }

        if (hostile.Reason is { } reason)
        {
            Assert.Contains(reason, evidence, StringComparison.Ordinal);
        }

        if (hostile.RowCount is { } count)
        {
            Assert.Equal(count, result.Rows);
        }

        Assert.True(result.Rejections.All(r => !string.IsNullOrWhiteSpace(r)), "every rejected row has a reason");

        // What the user sees: the exit code, and one line naming the file, without a stack trace.
        var expectedCode = result.Refused is not null || result.Accepted == 0 || result.Rejections.Count * 100.0 > MaxRejectedPercent * result.Rows ? 2 : 0;
        Assert.True(expectedCode == result.Outcome.ExitCode, $"{name}: exit {result.Outcome.ExitCode}, expected {expectedCode}: {result.Outcome.ErrorLine}");
        if (expectedCode == 0)
        {
            Assert.Null(result.Outcome.ErrorLine);
        }
        else
        {
            var line = Assert.IsType<string>(result.Outcome.ErrorLine);
            Assert.StartsWith("error: ", line, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', line);
            Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
            Assert.True(line.Contains(path, StringComparison.Ordinal) || line.Contains("--map", StringComparison.Ordinal), $"{name}: the line does not name {path}: {line}");
        }

        // Nothing outside the folder: no accepted product points out of it, and no canary byte came back as a field.
        foreach (var image in result.LocalImages)
        {
            Assert.True(ConfinedPath.IsInside(ConfinedPath.RealPath(dir), ConfinedPath.RealPath(image)), $"{name}: accepted image {image} lies outside {dir}");
        }

        Assert.False(result.SawCanary, $"{name}: the canary's content was read");
    }

    /// <summary>The corpus kind of a case name: its format, and for generated families the family (footer flips, truncations, ...).</summary>
    internal static string CorpusKind(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var format = name[..slash];
        var rest = name[(slash + 1)..];
        string[] families = ["footer-flip", "truncated", "bitflip", "invalid-utf8", "lone-surrogate", "utf16", "utf32", "semicolon", "tab"];
        var family = families.FirstOrDefault(f => rest.StartsWith(f, StringComparison.Ordinal)) ?? (format.EndsWith("-paths", StringComparison.Ordinal) ? "" : "special");
        return family.Length == 0 ? format : $"{format}/{family}";
    }
}
