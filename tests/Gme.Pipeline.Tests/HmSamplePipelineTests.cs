using System.Text.Json;
using Gme.Pipeline.Tests.Support;

namespace Gme.Pipeline.Tests;

/// <summary>The pipeline on 1,000 real H&amp;M products read from ../shared (never copied into the repository).</summary>
public sealed class HmSamplePipelineTests
{
    [Fact]
    public async Task RunSource_HmSample_IndexesAll1000WithFullSelfSearch()
    {
        if (!File.Exists(RepoPaths.HmSampleCsv))
        {
            Assert.False(RepoPaths.InCi, $"CI must run this test, but {RepoPaths.HmSampleCsv} is missing");
            Assert.Skip($"{RepoPaths.HmSampleCsv} is not present on this machine");
        }

        using var dir = new TempDir();
        var data = dir.Sub("data");
        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(15), "run", "--source", RepoPaths.HmSampleCsv, "--data-dir", data);
        Assert.True(run.ExitCode == 0, $"gme run exited {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");

        var status = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "status", "--json", "--data-dir", data);
        using var statusJson = JsonDocument.Parse(status.Stdout);
        Assert.Equal(1000, statusJson.RootElement.GetProperty("indexed").GetInt32());
        Assert.Equal(0, statusJson.RootElement.GetProperty("rejectedRows").GetInt32());

        var validate = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "validate", "--json", "--data-dir", data);
        Assert.True(validate.ExitCode == 0, validate.Stdout + validate.Stderr);
        using var report = JsonDocument.Parse(validate.Stdout);
        Assert.True(report.RootElement.GetProperty("passed").GetBoolean());
        foreach (var selfSearch in report.RootElement.GetProperty("selfSearch").EnumerateArray())
        {
            Assert.Equal(1000, selfSearch.GetProperty("sampled").GetInt32());
            Assert.Equal(1.0, selfSearch.GetProperty("rate").GetDouble());
        }

        Assert.Equal(1000, report.RootElement.GetProperty("counts").GetProperty("parquetRows").GetInt32());
        Assert.Equal(1000, report.RootElement.GetProperty("counts").GetProperty("storePoints").GetInt64());
    }
}
