using System.Text.Json;
using Gme.Pipeline.Tests.Support;
using Gme.Testing;

namespace Gme.Pipeline.Tests;

/// <summary>
/// Issue 13's sync scenario through the real CLI with the local model, on a 40-product cut of the H&amp;M sample
/// (read from ../shared, written only to a temp folder): the run summary and `gme status` give the exact counts, search
/// no longer finds removed products, and a truncated export ends with exit 2, one line, nothing removed.
/// </summary>
public sealed class CatalogueSyncCliTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task SecondSnapshot_SummaryAndStatusCountTheSync_TruncatedExportIsRefused()
    {
        SyncSnapshots.RequireSample();
        using var dir = new TempDir();
        var data = dir.Sub("data");
        var snapshots = SyncSnapshots.Create(dir.Sub("catalogue"), 40);

        var first = await RunAsync(snapshots, snapshots.First, data);
        Assert.True(first.ExitCode == 0, $"gme run exited {first.ExitCode}\n{first.Stdout}\n{first.Stderr}");
        Assert.Contains("Catalogue sync: 40 added, 0 changed, 0 unchanged, 0 removed.", first.Stdout);

        // No --collection: every snapshot goes into the catalogue named after the files, 'snapshot' (snapshot-1.csv ...).
        Assert.Contains("into collection 'snapshot'", first.Stdout);
        snapshots.RewritePhotos();
        var second = await RunAsync(snapshots, snapshots.Second, data);
        Assert.Contains("into collection 'snapshot'", second.Stdout);
        Assert.True(second.ExitCode == 0, $"gme run exited {second.ExitCode}\n{second.Stdout}\n{second.Stderr}");
        Assert.Contains("Catalogue sync: 2 added, 4 changed, 34 unchanged, 2 removed.", second.Stdout);
        Assert.Contains("Validation passed", second.Stdout);

        var status = await CliProcess.RunAsync(s_limit, "status", "--data-dir", data);
        Assert.Contains("Catalogue sync: 2 added, 4 changed, 34 unchanged, 2 removed.", status.Stdout);
        var statusJson = await CliProcess.RunAsync(s_limit, "status", "--json", "--data-dir", data);
        using (var json = JsonDocument.Parse(statusJson.Stdout))
        {
            Assert.Equal(40, json.RootElement.GetProperty("indexed").GetInt32());
            Assert.Equal(2, json.RootElement.GetProperty("removed").GetInt32());
            Assert.Equal(2, json.RootElement.GetProperty("sync").GetProperty("removed").GetInt32());
        }

        // Search never answers with a removed product, even when asked for exactly its words (each search loads the
        // model in a new process, so one query here; the in-process test asks for every removed product).
        foreach (var removed in snapshots.Removed.Take(1))
        {
            var name = snapshots.Names[removed];
            var search = await CliProcess.RunAsync(s_limit, "search", name, "--json", "--top", "20", "--data-dir", data);
            Assert.True(search.ExitCode == 0, search.Stderr);
            using var hits = JsonDocument.Parse(search.Stdout);
            var ids = hits.RootElement.EnumerateArray().Select(h => h.GetProperty("productId").GetString()).ToList();
            Assert.NotEmpty(ids);
            Assert.DoesNotContain(ids, id => id is not null && snapshots.Removed.Contains(id));
        }

        // Half the rows: more than 20 % would go, so the run is refused in one line and nothing is removed.
        var truncated = await RunAsync(snapshots, snapshots.Truncated, data);
        Assert.Equal(2, truncated.ExitCode);
        // One error line, as for every input the user must fix (the stage's fault is logged above it, without a stack trace).
        var line = Assert.Single(truncated.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("would remove 20 of the 40 products", line);
        Assert.Contains("--allow-removals", line);
        Assert.DoesNotContain("   at ", truncated.Stderr);
        var after = await CliProcess.RunAsync(s_limit, "status", "--json", "--data-dir", data);
        using (var json = JsonDocument.Parse(after.Stdout))
        {
            Assert.Equal(2, json.RootElement.GetProperty("removed").GetInt32());
            Assert.Equal(40, json.RootElement.GetProperty("indexed").GetInt32());
        }
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(SyncSnapshots snapshots, string csv, string data) =>
        CliProcess.RunAsync(s_limit, "run", "--source", csv, "--images-root", snapshots.ImagesRoot, "--data-dir", data);
}
