using Gme.Cli.Output;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Storage;

namespace Gme.Pipeline.Tests;

/// <summary>The expected duration shown by `gme run` and `gme estimate`.</summary>
public sealed class DurationEstimateTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"gme-eta-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Before_LocalWithoutRecord_UsesThePerCoreFigureAndSaysSo()
    {
        var line = DurationEstimate.Before("local", 105_000, null, cores: 2);

        // 105,000 / 25 per second = 4,200 s.
        Assert.Contains("about 1 h 10 min for 105,000 products at 25.0 products/s", line, StringComparison.Ordinal);
        Assert.Contains("not yet measured here", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAsync_ThenBefore_UsesThisMachinesMeasuredPace()
    {
        var paths = new DataPaths(_root);
        paths.EnsureCreated();

        await DurationEstimate.RecordAsync(paths, "local", 6_000, 600, DateTimeOffset.Parse("2026-11-30T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var line = DurationEstimate.Before("local", 36_000, DurationEstimate.Read(paths), cores: 2);

        Assert.Contains("about 1 h 00 min for 36,000 products at 10.0 products/s (measured on this machine: 6,000 products on 2026-11-30)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAsync_TooShortARun_RecordsNothing()
    {
        var paths = new DataPaths(_root);
        paths.EnsureCreated();

        await DurationEstimate.RecordAsync(paths, "local", DurationEstimate.MinimumProductsToRecord - 1, 10, DateTimeOffset.UnixEpoch);

        Assert.Null(DurationEstimate.Read(paths));
    }

    [Fact]
    public void Before_Gemini_SaysHoursNotAComputedFigure()
    {
        Assert.Contains("hours", DurationEstimate.Before("gemini", 105_000, null, cores: 2), StringComparison.Ordinal);
    }

    [Fact]
    public void Remaining_WhileRunning_UsesTheRunsOwnPaceOnceItHasOne()
    {
        var counts = new RunProgressCounts(RunStatus.Running, true, 10_000, 10_000, 10_000, 2_000, 1_000, 0, null, null, null);

        // 1,000 indexed in 100 s: 10/s, so 9,000 left take 15 min.
        Assert.Equal("eta 15 min 00 s", DurationEstimate.Remaining("local", counts, TimeSpan.FromSeconds(100), null, cores: 2));
        Assert.Null(DurationEstimate.Remaining("local", counts with { Status = RunStatus.Completed }, TimeSpan.FromSeconds(100), null, 2));
    }
}
