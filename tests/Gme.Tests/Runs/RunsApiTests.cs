using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gme.Pipeline.Runs;
using Gme.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Runs;

/// <summary>
/// The Ingest service's runs API (the composition of src/Gme.Ingest, in the embedded profile on a temp data
/// directory, over an in-memory test server): its key, the run list, and catalogues by upload and by https URL.
/// </summary>
public sealed class RunsApiTests : IAsyncLifetime
{
    private const string RemoteCatalogue = "https://catalogues.test/spring/catalogue.csv";
    private const string Csv = "product_id,name,image_url\nP1,red dress,https://images.test/p1.jpg\nP2,blue shirt,https://images.test/p2.jpg\n";

    private readonly RunsApiHost _host;
    private int _downloads;

    public RunsApiTests() =>
        // The network stops here: the catalogue URL is answered by this handler, so the download path runs for real.
        _host = new RunsApiHost(withStages: true, services => services.AddHttpClient(CatalogueInbox.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new CatalogueServer(() => Interlocked.Increment(ref _downloads))));

    private HttpClient Client => _host.Client;

    private string DataPath => _host.DataDirectory;

    public ValueTask InitializeAsync() => _host.InitializeAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Without_the_key_every_runs_request_is_401_and_with_it_the_list_answers()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.GetAsync("/runs", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.PostAsJsonAsync("/runs", new { sampleProducts = 3 }, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, "/runs", key: "wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.GetAsync($"/runs/{Guid.NewGuid()}", ct)).StatusCode);

        var list = await (await Send(HttpMethod.Get, "/runs")).Content.ReadFromJsonAsync<RunList>(ct);
        Assert.Equal(0, list!.Total);
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_a_page_at_a_time()
    {
        var ct = TestContext.Current.CancellationToken;
        var started = new List<Guid>();
        foreach (var products in new[] { 3, 4, 5 })
        {
            started.Add(await StartAsync(JsonContent.Create(new { sampleProducts = products, limit = 1 })));
        }

        var first = await (await Send(HttpMethod.Get, "/runs?page=1&pageSize=2")).Content.ReadFromJsonAsync<RunList>(ct);
        var second = await (await Send(HttpMethod.Get, "/runs?page=2&pageSize=2")).Content.ReadFromJsonAsync<RunList>(ct);
        Assert.Equal(3, first!.Total);
        Assert.Equal([started[2], started[1]], first.Runs.Select(r => r.RunId));
        Assert.Equal([started[0]], second!.Runs.Select(r => r.RunId));
        Assert.Equal("sample catalogue (3 products)", second.Runs[0].Source);

        var refused = await Send(HttpMethod.Get, "/runs?pageSize=500");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("pageSize", (await refused.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task An_uploaded_catalogue_is_stored_by_content_and_posting_it_again_resumes_its_run()
    {
        var ct = TestContext.Current.CancellationToken;
        var runId = await StartAsync(Upload(Csv, "spring.csv"));
        var again = await Send(HttpMethod.Post, "/runs", Upload(Csv, "renamed.csv"));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var body = await again.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(runId, body.GetProperty("runId").GetGuid());
        Assert.True(body.GetProperty("resumed").GetBoolean());

        var stored = Assert.Single(Directory.GetFiles(Path.Combine(DataPath, "catalogues")));
        Assert.Equal(Csv, await File.ReadAllTextAsync(stored, ct));
        var run = Assert.Single((await (await Send(HttpMethod.Get, "/runs")).Content.ReadFromJsonAsync<RunList>(ct))!.Runs);
        Assert.StartsWith("upload spring.csv (", run.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_catalogue_url_is_downloaded_once_per_post_and_its_run_reads_the_stored_file()
    {
        var ct = TestContext.Current.CancellationToken;
        var runId = await StartAsync(JsonContent.Create(new { url = RemoteCatalogue }));
        Assert.Equal(1, _downloads);
        var run = Assert.Single((await (await Send(HttpMethod.Get, "/runs")).Content.ReadFromJsonAsync<RunList>(ct))!.Runs);
        Assert.Equal(runId, run.RunId);
        Assert.StartsWith("https://catalogues.test/spring/catalogue.csv (", run.Source, StringComparison.Ordinal);

        // The run's own products come from the stored copy: wait for the ingest stage to read both rows.
        await Eventually.TrueAsync(async () =>
        {
            var counts = await (await Send(HttpMethod.Get, $"/runs/{runId}")).Content.ReadFromJsonAsync<JsonElement>(ct);
            return counts.GetProperty("ingested").GetInt32() == 2;
        }, "both rows of the downloaded catalogue ingested", TimeSpan.FromSeconds(60), ct);
    }

    [Theory]
    [InlineData("""{"url": "http://catalogues.test/a.csv"}""", "url")]
    [InlineData("""{"url": "ftp://catalogues.test/a.csv"}""", "url")]
    [InlineData("""{"url": "https://catalogues.test/a.exe"}""", "url")]
    [InlineData("""{"url": "https://catalogues.test/missing.csv"}""", "url")]
    [InlineData("""{"url": "hf://no-slash"}""", "url")]
    [InlineData("""{"url": "hf://a/b", "sampleProducts": 3}""", "body")]
    [InlineData("""{"sampleProducts": 3, "limit": -1}""", "limit")]
    [InlineData("""{"path": "/no/such/catalogue.csv"}""", "path")]
    [InlineData("""not json""", "body")]
    public async Task A_bad_start_request_is_400_naming_the_parameter(string json, string parameter)
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await Send(HttpMethod.Post, "/runs", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task An_upload_without_a_catalogue_field_or_of_another_type_is_400_and_leaves_no_file()
    {
        var ct = TestContext.Current.CancellationToken;
        using var noFile = new MultipartFormDataContent { { new StringContent("5"), "limit" } };
        var missing = await Send(HttpMethod.Post, "/runs", noFile);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("catalogue", (await missing.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("parameter").GetString());

        var wrongType = await Send(HttpMethod.Post, "/runs", Upload(Csv, "catalogue.exe"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        var folder = Path.Combine(DataPath, "catalogues");
        Assert.True(!Directory.Exists(folder) || Directory.GetFiles(folder).Length == 0);
    }

    [Fact]
    public async Task The_collection_comes_from_the_body_or_the_query_which_wins_and_a_bad_one_leaves_no_file()
    {
        var ct = TestContext.Current.CancellationToken;
        var fromBody = await StartAsync(JsonContent.Create(new { sampleProducts = 3, limit = 1, collection = "boots" }));
        var queryWins = await StartAsync(JsonContent.Create(new { sampleProducts = 4, limit = 1, collection = "boots" }), "/runs?collection=shoes");
        var upload = await StartAsync(Upload(Csv, "spring.csv"), "/runs?collection=spring");
        var runs = (await (await Send(HttpMethod.Get, "/runs")).Content.ReadFromJsonAsync<RunList>(ct))!.Runs.ToDictionary(r => r.RunId);
        Assert.Equal("boots", runs[fromBody].Collection);
        Assert.Equal("shoes", runs[queryWins].Collection);
        Assert.Equal("spring", runs[upload].Collection);

        var inbox = Directory.GetFiles(Path.Combine(DataPath, "catalogues"));
        var refused = await Send(HttpMethod.Post, "/runs?collection=no%20spaces", Upload(Csv.Replace("P2", "P3", StringComparison.Ordinal), "other.csv"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("collection", (await refused.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("parameter").GetString());
        Assert.Equal(inbox, Directory.GetFiles(Path.Combine(DataPath, "catalogues")));
        var badBody = await Send(HttpMethod.Post, "/runs", JsonContent.Create(new { sampleProducts = 3, collection = "../x" }));
        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
    }

    [Theory]
    [InlineData("../../escaped.csv")]
    [InlineData("..\\..\\escaped.csv")]
    [InlineData("/tmp/gme-upload-absolute/escaped.csv")]
    [InlineData("sub/../../../escaped.csv")]
    public async Task An_uploaded_file_name_never_chooses_where_the_catalogue_lands(string fileName)
    {
        var ct = TestContext.Current.CancellationToken;
        var runId = await StartAsync(Upload(Csv, fileName));

        // Only the inbox holds it, under its content hash; nothing named after the upload exists anywhere it points.
        var stored = Assert.Single(Directory.GetFiles(Path.Combine(DataPath, "catalogues")));
        Assert.Matches("^[0-9a-f]{64}\\.csv$", Path.GetFileName(stored));
        Assert.Empty(Directory.GetFiles(DataPath, "escaped.csv", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.GetFullPath(Path.Combine(DataPath, "catalogues", fileName))));
        Assert.False(File.Exists("/tmp/gme-upload-absolute/escaped.csv"));
        var run = Assert.Single((await (await Send(HttpMethod.Get, "/runs")).Content.ReadFromJsonAsync<RunList>(ct))!.Runs);
        Assert.Equal(runId, run.RunId);
        Assert.StartsWith("upload escaped.csv (", run.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_upload_is_one_line_naming_the_upload_and_leaves_no_file_even_with_a_newline_in_its_name()
    {
        var ct = TestContext.Current.CancellationToken;
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes("product_id;name;image_url\nP1;red dress;https://images.test/p1.jpg\n"));
        using var form = new MultipartFormDataContent();
        form.Add(file, "catalogue");
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "catalogue", FileNameStar = "bad\nname.csv" };
        var response = await Send(HttpMethod.Post, "/runs", form);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
        Assert.DoesNotContain('\n', detail);
        Assert.Contains("bad?name.csv", detail, StringComparison.Ordinal);
        Assert.Contains("semicolon-delimited", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(DataPath, detail, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(DataPath, "catalogues")));

        // A limit refused after the file was stored takes the file away again.
        using var badLimit = Upload(Csv, "spring.csv");
        badLimit.Add(new StringContent("-1"), "limit");
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Post, "/runs", badLimit)).StatusCode);
        Assert.Empty(Directory.GetFiles(Path.Combine(DataPath, "catalogues")));
        Assert.Equal(0, (await (await Send(HttpMethod.Get, "/runs")).Content.ReadFromJsonAsync<RunList>(ct))!.Total);
    }

    [Fact]
    public async Task The_inbox_sweeper_deletes_only_catalogues_no_unfinished_run_reads_once_past_the_grace()
    {
        var ct = TestContext.Current.CancellationToken;
        await StartAsync(Upload(Csv, "spring.csv"));
        var inbox = Path.Combine(DataPath, "catalogues");
        var read = Assert.Single(Directory.GetFiles(inbox));
        var orphan = Path.Combine(inbox, new string('0', 64) + ".csv");
        var partial = Path.Combine(inbox, $".{Guid.NewGuid():n}.partial");
        var fresh = Path.Combine(inbox, new string('1', 64) + ".csv");
        foreach (var file in new[] { orphan, partial, fresh })
        {
            await File.WriteAllTextAsync(file, Csv, ct);
        }

        var old = DateTime.UtcNow - CatalogueInboxSweeper.Grace - TimeSpan.FromMinutes(1);
        foreach (var file in new[] { read, orphan, partial })
        {
            File.SetLastWriteTimeUtc(file, old);
        }

        var removed = await _host.Services.GetRequiredService<CatalogueInboxSweeper>().SweepAsync(ct);
        Assert.Equal(2, removed);
        Assert.Equal(new[] { fresh, read }.Order(StringComparer.Ordinal), Directory.GetFiles(inbox).Order(StringComparer.Ordinal));
    }

    private static MultipartFormDataContent Upload(string text, string fileName)
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "catalogue", fileName } };
    }

    private async Task<Guid> StartAsync(HttpContent content, string path = "/runs")
    {
        var response = await Send(HttpMethod.Post, path, content);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("runId").GetGuid();
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content = null, string key = RunsApiHost.Key) =>
        _host.SendAsync(method, path, content, TestContext.Current.CancellationToken, key);

    /// <summary>Answers the catalogue URL with the CSV and anything else with 404.</summary>
    private sealed class CatalogueServer(Action onDownload) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.ToString() != RemoteCatalogue)
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
            }

            onDownload();
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Csv, Encoding.UTF8, "text/csv") });
        }
    }
}
