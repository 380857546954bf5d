using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gme.Pipeline.Tests.Support;

namespace Gme.Pipeline.Tests;

/// <summary>
/// `gme status|search|runs --url` against a running search service (the shared `gme serve` over an indexed sample):
/// each answers what the same command says over the data directory, and an unreachable service is one line, exit 1.
/// </summary>
[Collection(SearchServiceCollection.Name)]
public sealed class RemoteCliTests(SearchServiceFixture fixture)
{
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("red dress", "--top", "5")]
    [InlineData("shirt", "--top", "7", "--filter", "colour=Blue")]
    [InlineData("--similar", "S000003", "--top", "4")]
    public async Task Search_with_url_answers_what_search_over_the_data_dir_answers(params string[] args)
    {
        var local = await CliProcess.RunAsync(s_limit, ["search", .. args, "--json", "--data-dir", fixture.DataDirectory]);
        var remote = await CliProcess.RunAsync(s_limit, ["search", .. args, "--json", "--url", fixture.BaseUrl.ToString()]);
        Assert.True(local.ExitCode == 0, local.Stderr);
        Assert.True(remote.ExitCode == 0, remote.Stderr);
        Assert.NotEmpty(JsonDocument.Parse(remote.Stdout).RootElement.EnumerateArray());
        Assert.Equal(local.Stdout, remote.Stdout);
    }

    [Fact]
    public async Task Status_with_url_reports_the_newest_run_and_its_counts()
    {
        var runs = await CliProcess.RunAsync(s_limit, "runs", "--json", "--data-dir", fixture.DataDirectory);
        Assert.True(runs.ExitCode == 0, runs.Stderr);
        var newest = JsonDocument.Parse(runs.Stdout).RootElement.GetProperty("runs")[0].GetProperty("runId").GetString();

        var status = await CliProcess.RunAsync(s_limit, "status", "--url", fixture.BaseUrl.ToString());
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains($"Run {newest} (Completed)", status.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^indexed\s+40$", status.Stdout);
        Assert.Matches(@"(?m)^failed\s+0$", status.Stdout);

        var json = await CliProcess.RunAsync(s_limit, "status", "--json", "--url", fixture.BaseUrl.ToString());
        var counts = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("counts");
        Assert.Equal(40, counts.GetProperty("embedded").GetInt32());
        Assert.True(counts.GetProperty("validationPassed").GetBoolean());
    }

    [Fact]
    public async Task Runs_with_url_lists_what_runs_over_the_data_dir_lists()
    {
        var local = await CliProcess.RunAsync(s_limit, "runs", "--json", "--data-dir", fixture.DataDirectory);
        var remote = await CliProcess.RunAsync(s_limit, "runs", "--json", "--url", fixture.BaseUrl.ToString());
        Assert.True(remote.ExitCode == 0, remote.Stderr);
        Assert.Equal(local.Stdout, remote.Stdout);
        Assert.Equal(1, JsonDocument.Parse(remote.Stdout).RootElement.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("status")]
    [InlineData("runs")]
    [InlineData("search", "red dress")]
    public async Task An_unreachable_service_is_one_line_and_exit_1(params string[] command)
    {
        var url = $"http://127.0.0.1:{ClosedPort()}";
        var result = await CliProcess.RunAsync(s_limit, [.. command, "--url", url]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: cannot reach {url}/: connection refused (is the service running?)", result.Stderr.TrimEnd());
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_url_that_is_not_a_gme_service_is_one_line_and_exit_2()
    {
        // The search service has no /api/nothing: a 404 without a ProblemDetails.
        var result = await CliProcess.RunAsync(s_limit, "runs", "--url", new Uri(fixture.BaseUrl, "/api/nothing/").ToString());
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A loopback port nothing listens on (bound, read, released).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
