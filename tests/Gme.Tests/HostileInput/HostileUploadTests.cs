using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gme.Tests.Runs;

namespace Gme.Tests.HostileInput;

/// <summary>
/// Every generated hostile catalogue (<see cref="HostileCatalogues"/>) posted to the runs API (<c>POST /runs</c>, in
/// process, <see cref="RunsApiHost"/>) and classified as the CLI classifies it (<see cref="CliRunPath"/>): a file `gme
/// run` ends with exit 2 is a 400 ProblemDetails whose detail is one line naming the file and the reason (no stack
/// trace, no path on the service, no key) and leaves nothing behind (no run, no file in the inbox); a file the CLI runs
/// starts a run. Files are uploaded (multipart, field <c>catalogue</c>, under the case's file name); what only a path
/// on the service can be (missing, a directory, a dangling link, a FIFO, a device) is posted as <c>{"path": ...}</c>.
/// CI runs <see cref="CiCasesPerKind"/> cases of every corpus kind; <c>GME_HOSTILE_UPLOADS=all</c> runs all of them.
/// </summary>
public sealed class HostileUploadTests(CanaryFolder canaries, RunsApiHost host) : IClassFixture<CanaryFolder>, IClassFixture<RunsApiHost>
{
    /// <summary>Cases of each corpus kind (<see cref="HostileCatalogueTests.CorpusKind"/>) that CI runs.</summary>
    public const int CiCasesPerKind = 12;

    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(10);

    /// <summary>Case names (after the format) of files a client cannot upload: only a path on the service can be one.</summary>
    private static readonly string[] s_serverOnly = ["missing", "directory", "dangling-symlink", "dev-zero", "dev-null", "fifo", "catalogue-link-to-canary-fifo"];

    public static TheoryData<string> CaseNames()
    {
        var all = string.Equals(Environment.GetEnvironmentVariable("GME_HOSTILE_UPLOADS"), "all", StringComparison.OrdinalIgnoreCase);
        var data = new TheoryData<string>();
        foreach (var kind in HostileCatalogues.Cases.Keys.Order(StringComparer.Ordinal).GroupBy(HostileCatalogueTests.CorpusKind))
        {
            // Spread over the kind (offsets, seeds), not its first few.
            var names = kind.ToList();
            var step = all || names.Count <= CiCasesPerKind ? 1 : (double)names.Count / CiCasesPerKind;
            foreach (var name in Enumerable.Range(0, all ? names.Count : Math.Min(names.Count, CiCasesPerKind)).Select(i => names[(int)(i * step)]))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Post_HostileCatalogue_IsRefusedOrRunAsTheCliDoes(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        var hostile = HostileCatalogues.Cases[name];
        var dir = canaries.NewCatalogueFolder();
        var path = Path.GetFullPath(hostile.Create(dir));
        var cli = await BoundedAsync(Task.Run(() => CliRunPath.RunAsync(path, ct), ct), name, "the CLI path");
        var refuse = cli.Outcome.ExitCode == 2;
        Assert.True(refuse || cli.Outcome.ExitCode == 0, $"{name}: the CLI ended with {cli.Outcome.ExitCode}: {cli.Outcome.ErrorLine}");

        var runsBefore = await host.RunCountAsync(ct);
        var inboxBefore = host.InboxFiles();
        var serverOnly = s_serverOnly.Any(s => name.EndsWith("/" + s, StringComparison.Ordinal));
        var shown = serverOnly ? path : Path.GetFileName(path);
        var bytes = serverOnly ? [] : await File.ReadAllBytesAsync(path, ct);
        using HttpContent content = serverOnly ? JsonContent.Create(new { path }) : Upload(bytes, shown);
        using var response = await BoundedAsync(host.SendAsync(HttpMethod.Post, "/runs", content, ct), name, "POST /runs");
        var body = await response.Content.ReadAsStringAsync(ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: CLI exit {cli.Outcome.ExitCode}, API {(int)response.StatusCode}: {body}");

        if (!refuse)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{name}: the CLI runs it, the API answered {(int)response.StatusCode}: {body}");
            var runId = JsonDocument.Parse(body).RootElement.GetProperty("runId").GetGuid();
            using var run = await host.SendAsync(HttpMethod.Get, $"/runs/{runId}", null, ct);
            Assert.Equal("Running", (await run.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
            return;
        }

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: the CLI refuses it ({cli.Outcome.ErrorLine}), the API answered {(int)response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(serverOnly ? "path" : "catalogue", problem.GetProperty("parameter").GetString());
        var detail = problem.GetProperty("detail").GetString() ?? "";
        Assert.DoesNotContain('\n', detail);
        Assert.DoesNotContain('\r', detail);
        Assert.DoesNotContain("   at ", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(" ---> ", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(RunsApiHost.Key, detail, StringComparison.Ordinal);
        Assert.DoesNotContain(host.DataDirectory, detail, StringComparison.Ordinal);
        Assert.True(detail.Contains(shown, StringComparison.Ordinal), $"{name}: the detail does not name {shown}: {detail}");
        if (hostile.Expected == Outcome.FileRejected && hostile.Reason is { } reason)
        {
            Assert.Contains(reason, detail, StringComparison.Ordinal);
        }

        if (cli.Refused is { } refused && (serverOnly || bytes.Length > 0))
        {
            // The same reason as the CLI's line (an upload is shown by its name where the CLI shows its path). An empty
            // upload is refused by the inbox in its own words: the CLI cannot tell an empty file from a FIFO by its length.
            Assert.True(detail.Contains(refused.Reason, StringComparison.Ordinal), $"{name}: CLI '{refused.Message}', API '{detail}'");
        }

        // Nothing started, nothing left behind.
        Assert.Equal(runsBefore, await host.RunCountAsync(ct));
        Assert.Equal(inboxBefore, host.InboxFiles());
    }

    private static MultipartFormDataContent Upload(byte[] bytes, string fileName)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent { { file, "catalogue", fileName } };
    }

    /// <summary>Fails the case when <paramref name="task"/> blocks (an opened FIFO, a runaway read), after letting a blocked open go.</summary>
    private async Task<T> BoundedAsync<T>(Task<T> task, string name, string what)
    {
        try
        {
            return await task.WaitAsync(s_limit, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            canaries.ReleaseFifoReaders();
            throw new Xunit.Sdk.XunitException($"{name}: {what} did not finish within {s_limit}: a blocking open (the canary FIFO?) or a runaway read");
        }
    }
}
