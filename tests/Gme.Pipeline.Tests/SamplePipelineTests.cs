using System.Text.Json;
using Gme.Pipeline.Tests.Support;

namespace Gme.Pipeline.Tests;

/// <summary>The README's main command, end to end, through the real CLI process.</summary>
public sealed class SamplePipelineTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task RunSample_300Products_IndexesAllAndFindsRedDressesFirst()
    {
        using var dir = new TempDir();
        var data = dir.Sub("data");

        var run = await CliProcess.RunAsync(s_limit, "run", "--sample", "--products", "300", "--data-dir", data);
        Assert.True(run.ExitCode == 0, $"gme run exited {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("Validation passed", run.Stdout);

        var status = await CliProcess.RunAsync(s_limit, "status", "--json", "--data-dir", data);
        Assert.Equal(0, status.ExitCode);
        using var statusJson = JsonDocument.Parse(status.Stdout);
        Assert.Equal(300, statusJson.RootElement.GetProperty("products").GetInt32());
        Assert.Equal(300, statusJson.RootElement.GetProperty("indexed").GetInt32());
        Assert.Equal(0, statusJson.RootElement.GetProperty("failed").GetInt32());

        var search = await CliProcess.RunAsync(s_limit, "search", "red dress", "--json", "--top", "5", "--data-dir", data);
        Assert.True(search.ExitCode == 0, search.Stderr);
        using var hits = JsonDocument.Parse(search.Stdout);
        var top = hits.RootElement.EnumerateArray().ToList();
        Assert.Equal(5, top.Count);
        foreach (var hit in top.Take(3))
        {
            var payload = hit.GetProperty("payload");
            Assert.Equal("Red", payload.GetProperty("colour").GetString());
            Assert.Equal("Dress", payload.GetProperty("product_type").GetString());
            Assert.StartsWith("S", hit.GetProperty("productId").GetString());
        }

        // Running again does only what is not done: nothing, and the answer stays the same.
        var again = await CliProcess.RunAsync(s_limit, "run", "--sample", "--products", "300", "--data-dir", data);
        Assert.True(again.ExitCode == 0, again.Stderr);
        var searchAgain = await CliProcess.RunAsync(s_limit, "search", "red dress", "--json", "--top", "5", "--data-dir", data);
        Assert.Equal(search.Stdout, searchAgain.Stdout);
    }

    [Fact]
    public async Task Search_WithoutData_ExplainsInOneLine()
    {
        using var dir = new TempDir();
        var result = await CliProcess.RunAsync(s_limit, "search", "red dress", "--data-dir", dir.Sub("nothing-here"));
        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: no Gme data in", line);
    }

    [Fact]
    public async Task Run_MissingCatalogue_NamesTheFile()
    {
        using var dir = new TempDir();
        var missing = dir.Sub("missing.csv");
        var result = await CliProcess.RunAsync(s_limit, "run", "--source", missing, "--data-dir", dir.Sub("data"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(missing, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr); // one line, no stack trace
    }
}
