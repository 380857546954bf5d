using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gme.Tests.Gemini;

/// <summary>
/// A Kestrel server on 127.0.0.1 that speaks the documented Gemini protocol: resumable uploads, files (list, get,
/// delete), long-running embedding batches whose state advances on each GET, responses files that can be deleted or
/// expire while their batch stays listed, result lines with usageMetadata, the synchronous endpoints, and injectable
/// faults. Like the real API, batches.get does not echo the input file. One server is one account: a second data dir
/// pointed at it sees the first one's batches. Embeddings are deterministic (a hash of the request content), unit length.
/// </summary>
internal sealed class FakeGeminiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, UploadSession> _sessions = [];
    private readonly Dictionary<string, StoredFile> _files = [];
    private readonly Dictionary<string, Batch> _batches = [];
    private readonly List<string> _keyViolations = [];
    private readonly List<DateTimeOffset> _rateLimitedUntil = [];
    private readonly Dictionary<string, int> _byEndpoint = new(StringComparer.Ordinal);
    private readonly Random _random;
    private int _next;

    private FakeGeminiServer(WebApplication app, string apiKey, FakeGeminiFaults faults)
    {
        _app = app;
        ApiKey = apiKey;
        Faults = faults;
        _random = new Random(faults.Seed);
    }

    public string ApiKey { get; }

    public FakeGeminiFaults Faults { get; }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>GET polls a batch needs from PENDING to a terminal state.</summary>
    public int PollsToFinish { get; set; } = 2;

    public int CreateCalls { get; private set; }

    /// <summary>Every request served or refused, fault answers included.</summary>
    public int Requests { get; private set; }

    /// <summary>Requests so far by API method (<see cref="FakeGeminiEndpoints"/>), fault answers included.</summary>
    public IReadOnlyDictionary<string, int> RequestsByEndpoint { get { lock (_gate) { return new Dictionary<string, int>(_byEndpoint, StringComparer.Ordinal); } } }

    /// <summary>
    /// Called with each request's endpoint and path before it is served (true) and once it has been answered (false):
    /// where a test kills the client process, so a crash lands at an exact point of the protocol. Returning true
    /// before a request drops it unserved (the client died before it arrived).
    /// </summary>
    public Func<string, string, bool, bool>? Observer { get; set; }

    /// <summary>Downloads of a responses file that no longer exists (answered 404).</summary>
    public int MissingDownloads { get; private set; }

    /// <summary>Prompt tokens billed in result lines (usageMetadata), per line.</summary>
    public const int TokensPerLine = 300;

    /// <summary>Batches whose display name matches never finish while this says so (a job stuck RUNNING).</summary>
    public Func<string, bool>? Stuck { get; set; }

    /// <summary>Bytes of the uploaded (not generated) files the account holds now.</summary>
    public long UploadedBytes { get { lock (_gate) { return _files.Values.Where(f => !f.Generated).Sum(f => (long)f.Data.Length); } } }

    /// <summary>Batches whose display name matches succeed with a results file that has already expired (never stored).</summary>
    public Func<string, bool>? ResultsExpired { get; set; }

    /// <summary>Polls (batches.get) of the batches whose display name matches.</summary>
    public int PollsOf(Func<string, bool> displayName) { lock (_gate) { return _batches.Values.Where(b => displayName(b.DisplayName)).Sum(b => b.Gets); } }

    /// <summary>Every stored file, uploaded or generated.</summary>
    public IReadOnlyList<string> AllFiles { get { lock (_gate) { return _files.Keys.ToList(); } } }

    /// <summary>Deletes every responses file, as their 48 h / 6 week expiry would; the batches stay listed as succeeded.</summary>
    public void ExpireResults() { lock (_gate) { foreach (var name in _files.Values.Where(f => f.Generated).Select(f => f.Name).ToList()) { _files.Remove(name); } } }

    public int SyncEmbedCalls { get; private set; }

    public int SyncEmbedItems { get; private set; }

    /// <summary>Items embedded through batchEmbedContents (products re-embedded synchronously; queries use embedContent).</summary>
    public int SyncLineItems { get; private set; }

    /// <summary>Requests that carried the key somewhere other than the x-goog-api-key header, or had a wrong key.</summary>
    public IReadOnlyList<string> KeyViolations { get { lock (_gate) { return [.. _keyViolations]; } } }

    /// <summary>Creates received while an earlier 429 asked the client to wait.</summary>
    public int CreatesBeforeRetryAfter { get; private set; }

    public int MaxConcurrentActiveBatches { get; private set; }

    public IReadOnlyList<(string Name, string DisplayName, string State)> Batches
    {
        get { lock (_gate) { return _batches.Values.Select(b => (b.Name, b.DisplayName, b.State)).ToList(); } }
    }

    /// <summary>The key of every line of every batch created so far (what the pipeline asked to be embedded in batch).</summary>
    public IReadOnlyList<string> BatchKeys
    {
        get
        {
            lock (_gate)
            {
                return _batches.Values
                    .SelectMany(b => Encoding.UTF8.GetString(b.Input).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    .Select(line => JsonNode.Parse(line)!["key"]!.GetValue<string>())
                    .ToList();
            }
        }
    }

    /// <summary>Uploaded (not generated) files still stored.</summary>
    public IReadOnlyList<string> UploadedFiles
    {
        get { lock (_gate) { return _files.Values.Where(f => !f.Generated).Select(f => f.Name).ToList(); } }
    }

    /// <summary>
    /// Drops an upload session once it is finalised and a batch's input once it finished, so that a long run (the scale
    /// bench, 3 GB of inline photos at 105k products) holds only what is in flight. Tests keep both: they read
    /// <see cref="BatchKeys"/> and resume interrupted uploads.
    /// </summary>
    public bool ForgetsInputs { get; set; }

    /// <summary>Starts the account on a free loopback port (also linked into the scale bench, which has no TestContext).</summary>
    public static async Task<FakeGeminiServer> StartAsync(string apiKey, FakeGeminiFaults? faults = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var server = new FakeGeminiServer(app, apiKey, faults ?? new FakeGeminiFaults());
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        server.BaseAddress = new Uri(app.Urls.First() + "/");
        return server;
    }

    /// <summary>Marks every non-terminal batch as finished on its next poll (to end a test quickly).</summary>
    public void FinishAll() { lock (_gate) { foreach (var b in _batches.Values) { b.Polls = PollsToFinish; } } }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var path = request.Path.Value ?? string.Empty;
        var body = await ReadBodyAsync(request);
        var isSession = path.StartsWith("/upload/session/", StringComparison.Ordinal);
        var endpoint = FakeGeminiEndpoints.Of(request.Method, path);
        lock (_gate)
        {
            Requests++;
            _byEndpoint[endpoint] = _byEndpoint.GetValueOrDefault(endpoint) + 1;
            if (request.QueryString.Value?.Contains(ApiKey, StringComparison.Ordinal) == true || path.Contains(ApiKey, StringComparison.Ordinal))
            {
                _keyViolations.Add("key in URL: " + request.Method + " " + path);
            }

            // The session URL is pre-authorised (the cookbook sends no key on chunks); everything else needs the header.
            if (!isSession && request.Headers["x-goog-api-key"].ToString() != ApiKey)
            {
                _keyViolations.Add("missing or wrong header key: " + request.Method + " " + path);
            }
        }

        if (!isSession && request.Headers["x-goog-api-key"].ToString() != ApiKey)
        {
            await Error(http, 403, "PERMISSION_DENIED", "API key not valid");
            return;
        }

        if (Observer?.Invoke(endpoint, path, true) == true)
        {
            http.Abort(); // the client died before this request was served
            return;
        }

        var fault = PickFault(path);
        if (fault is not null)
        {
            await fault(http);
            return;
        }

        try
        {
            await RouteAsync(http, request.Method, path, body);
        }
        catch (KeyNotFoundException)
        {
            await Error(http, 404, "NOT_FOUND", "not found");
        }

        await http.Response.CompleteAsync();
        Observer?.Invoke(endpoint, path, false);
    }

    private Func<HttpContext, Task>? PickFault(string path)
    {
        lock (_gate)
        {
            if (Faults.CallFaultRate <= 0 || _random.NextDouble() >= Faults.CallFaultRate)
            {
                return null;
            }

            var kind = _random.Next(4);
            var retryDelay = Faults.RetryDelay;
            var isCreate = path.EndsWith(":asyncBatchEmbedContent", StringComparison.Ordinal);
            return kind switch
            {
                0 => http => RateLimited(http, retryDelay, withRetryInfo: true, isCreate),
                1 => http => RateLimited(http, retryDelay, withRetryInfo: false, isCreate),
                2 => http => Error(http, 500, "INTERNAL", "internal error"),
                _ => http => Error(http, 503, "UNAVAILABLE", "overloaded"),
            };
        }
    }

    private async Task RateLimited(HttpContext http, TimeSpan delay, bool withRetryInfo, bool isCreate)
    {
        if (withRetryInfo && isCreate)
        {
            lock (_gate)
            {
                _rateLimitedUntil.Add(DateTimeOffset.UtcNow + delay);
            }
        }

        var details = withRetryInfo
            ? $",\"details\":[{{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"{delay.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s\"}}]"
            : string.Empty;
        http.Response.StatusCode = 429;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync($"{{\"error\":{{\"code\":429,\"message\":\"You exceeded your current quota\",\"status\":\"RESOURCE_EXHAUSTED\"{details}}}}}");
    }

    private static async Task Error(HttpContext http, int code, string status, string message)
    {
        http.Response.StatusCode = code;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { code, message, status } }));
    }

    private async Task RouteAsync(HttpContext http, string method, string path, byte[] body)
    {
        switch (method)
        {
            case "POST" when path == "/upload/v1beta/files":
                await StartUploadAsync(http, body);
                return;
            case "POST" when path.StartsWith("/upload/session/", StringComparison.Ordinal):
                await UploadChunkAsync(http, path["/upload/session/".Length..], body);
                return;
            case "GET" when path == "/v1beta/files":
                await ListAsync(http, () => _files.Values.OrderBy(f => f.Name, StringComparer.Ordinal).Select(FileJson).ToList(), "files");
                return;
            case "GET" when path.StartsWith("/v1beta/files/", StringComparison.Ordinal):
                await Json(http, Locked(() => FileJson(_files[path["/v1beta/".Length..]])));
                return;
            case "DELETE" when path.StartsWith("/v1beta/files/", StringComparison.Ordinal):
                Locked(() => _files.Remove(path["/v1beta/".Length..]) ? 0 : throw new KeyNotFoundException());
                await Json(http, new JsonObject());
                return;
            case "GET" when path.StartsWith("/download/v1beta/files/", StringComparison.Ordinal) && path.EndsWith(":download", StringComparison.Ordinal):
                await DownloadAsync(http, path["/download/v1beta/".Length..^":download".Length]);
                return;
            case "POST" when path.StartsWith("/v1beta/models/", StringComparison.Ordinal):
                await ModelCallAsync(http, path["/v1beta/models/".Length..], body);
                return;
            case "GET" when path == "/v1beta/batches":
                await ListAsync(http, () => _batches.Values.OrderBy(b => b.Number).Select(BatchJson).ToList(), "operations");
                return;
            case "GET" when path.StartsWith("/v1beta/batches/", StringComparison.Ordinal):
                await Json(http, Locked(() => Poll(_batches[path["/v1beta/".Length..]])));
                return;
            case "POST" when path.StartsWith("/v1beta/batches/", StringComparison.Ordinal) && path.EndsWith(":cancel", StringComparison.Ordinal):
                Locked(() => _batches[path["/v1beta/".Length..^":cancel".Length]].Cancel());
                await Json(http, new JsonObject());
                return;
            case "DELETE" when path.StartsWith("/v1beta/batches/", StringComparison.Ordinal):
                Locked(() => _batches.Remove(path["/v1beta/".Length..]) ? 0 : throw new KeyNotFoundException());
                await Json(http, new JsonObject());
                return;
            default:
                await Error(http, 404, "NOT_FOUND", $"no route {method} {path}");
                return;
        }
    }

    private async Task StartUploadAsync(HttpContext http, byte[] body)
    {
        var h = http.Request.Headers;
        if (h["X-Goog-Upload-Protocol"] != "resumable" || h["X-Goog-Upload-Command"] != "start")
        {
            await Error(http, 400, "INVALID_ARGUMENT", "expected a resumable start");
            return;
        }

        var meta = JsonNode.Parse(body)!;
        var session = new UploadSession(
            "s" + Interlocked.Increment(ref _next),
            meta["file"]?["displayName"]?.GetValue<string>() ?? string.Empty,
            long.Parse(h["X-Goog-Upload-Header-Content-Length"].ToString(), CultureInfo.InvariantCulture));
        Locked(() =>
        {
            session.InterruptAfterStoring = InterruptNextUploadChunks;
            InterruptNextUploadChunks = 0;
            return _sessions[session.Id] = session;
        });
        http.Response.Headers["X-Goog-Upload-URL"] = new Uri(BaseAddress, "upload/session/" + session.Id).ToString();
        await Json(http, new JsonObject());
    }

    private async Task UploadChunkAsync(HttpContext http, string id, byte[] body)
    {
        var command = http.Request.Headers["X-Goog-Upload-Command"].ToString();
        var session = Locked(() => _sessions[id]);
        if (command == "query")
        {
            http.Response.Headers["X-Goog-Upload-Status"] = session.File is null ? "active" : "final";
            http.Response.Headers["X-Goog-Upload-Size-Received"] = session.Data.Length.ToString(CultureInfo.InvariantCulture);
            await Json(http, session.File is null ? new JsonObject() : new JsonObject { ["file"] = FileJson(session.File) });
            return;
        }

        var offset = long.Parse(http.Request.Headers["X-Goog-Upload-Offset"].ToString(), CultureInfo.InvariantCulture);
        if (offset != session.Data.Length)
        {
            await Error(http, 400, "INVALID_ARGUMENT", $"offset {offset} but {session.Data.Length} received");
            return;
        }

        session.Data.Write(body);
        if (session.InterruptAfterStoring > 0)
        {
            // The bytes arrived but the answer is lost: the client must query and resume, not restart.
            session.InterruptAfterStoring--;
            http.Abort();
            return;
        }

        if (command.Contains("finalize", StringComparison.Ordinal))
        {
            var file = new StoredFile("files/" + NewId(), session.DisplayName, session.Data.ToArray(), Generated: false);
            Locked(() =>
            {
                if (ForgetsInputs)
                {
                    _sessions.Remove(id);
                }

                return _files[file.Name] = file;
            });
            session.File = file;
            http.Response.Headers["X-Goog-Upload-Status"] = "final";
            await Json(http, new JsonObject { ["file"] = FileJson(file) });
            return;
        }

        http.Response.Headers["X-Goog-Upload-Status"] = "active";
        await Json(http, new JsonObject());
    }

    /// <summary>Makes the next upload session drop the answer to its first chunks after storing them.</summary>
    public int InterruptNextUploadChunks { get; set; }

    private async Task ModelCallAsync(HttpContext http, string rest, byte[] body)
    {
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var model = rest[..colon];
        var verb = rest[(colon + 1)..];
        var json = JsonNode.Parse(body)!;
        switch (verb)
        {
            case "embedContent":
                Locked(() => { SyncEmbedCalls++; SyncEmbedItems++; return 0; });
                await Json(http, new JsonObject { ["embedding"] = Embedding(json) });
                return;
            case "batchEmbedContents":
                var requests = json["requests"]!.AsArray();
                if (requests.Count > 100)
                {
                    await Error(http, 400, "INVALID_ARGUMENT", "BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch");
                    return;
                }

                if (requests.Any(r => r!["model"]?.GetValue<string>() != "models/" + model))
                {
                    await Error(http, 400, "INVALID_ARGUMENT", "requests[].model must equal the path model");
                    return;
                }

                if (requests.Any(r => IsPoison(r!)))
                {
                    await Error(http, 400, "INVALID_ARGUMENT", "a request is invalid");
                    return;
                }

                Locked(() => { SyncEmbedCalls++; SyncEmbedItems += requests.Count; SyncLineItems += requests.Count; return 0; });
                await Json(http, new JsonObject { ["embeddings"] = new JsonArray([.. requests.Select(r => (JsonNode)Embedding(r!))]) });
                return;
            case "asyncBatchEmbedContent":
                await CreateBatchAsync(http, model, json);
                return;
            default:
                await Error(http, 404, "NOT_FOUND", "unknown method " + verb);
                return;
        }
    }

    private async Task CreateBatchAsync(HttpContext http, string model, JsonNode json)
    {
        var batch = json["batch"]!;
        var fileName = batch["inputConfig"]?["fileName"]?.GetValue<string>();
        var displayName = batch["displayName"]?.GetValue<string>();
        Batch created;
        lock (_gate)
        {
            CreateCalls++;
            var now = DateTimeOffset.UtcNow;
            if (_rateLimitedUntil.Any(u => u > now))
            {
                CreatesBeforeRetryAfter++;
            }

            if (fileName is null || displayName is null || !_files.TryGetValue(fileName, out var file))
            {
                created = null!;
            }
            else
            {
                var roll = _random.NextDouble();
                var outcome = roll < Faults.FailedBatchRate ? "FAILED"
                    : roll < Faults.FailedBatchRate + Faults.ExpiredBatchRate ? "EXPIRED"
                    : "SUCCEEDED";
                var undownloadable = outcome == "SUCCEEDED" && _random.NextDouble() < Faults.UndownloadableRate;
                created = new Batch("batches/" + NewId(), ++_next, model, displayName, fileName, file.Data, outcome, undownloadable);
                _batches[created.Name] = created;
                MaxConcurrentActiveBatches = Math.Max(MaxConcurrentActiveBatches, _batches.Values.Count(b => !b.Terminal));
            }
        }

        if (created is null)
        {
            await Error(http, 400, "INVALID_ARGUMENT", "batch needs displayName and an existing inputConfig.fileName");
            return;
        }

        await Json(http, Locked(() => BatchJson(created)));
    }

    private JsonObject Poll(Batch batch)
    {
        batch.Gets++;
        if (!batch.Terminal && Stuck?.Invoke(batch.DisplayName) == true)
        {
            batch.State = "RUNNING";
        }
        else if (!batch.Terminal && ++batch.Polls >= PollsToFinish)
        {
            Finish(batch);
        }
        else if (!batch.Terminal)
        {
            batch.State = "RUNNING";
        }

        return BatchJson(batch);
    }

    private void Finish(Batch batch)
    {
        batch.State = batch.Outcome;
        if (batch.Outcome != "SUCCEEDED")
        {
            return;
        }

        var input = batch.Input;
        if (ForgetsInputs)
        {
            batch.Input = [];
        }

        var output = new StringBuilder();
        var failed = 0;
        foreach (var line in Encoding.UTF8.GetString(input).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var node = JsonNode.Parse(line)!;
            var key = node["key"]!.GetValue<string>();
            var request = node["request"]!;
            if (_random.NextDouble() < Faults.MissingLineRate)
            {
                failed++;
                continue;
            }

            string text;
            if (IsPoison(request) || _random.NextDouble() < Faults.LineErrorRate)
            {
                failed++;
                text = new JsonObject { ["key"] = key, ["error"] = new JsonObject { ["code"] = 13, ["message"] = "internal error for this line", ["details"] = new JsonArray() } }.ToJsonString();
            }
            else
            {
                text = new JsonObject
                {
                    ["key"] = key,
                    ["response"] = new JsonObject { ["embedding"] = Embedding(request) },
                    ["usageMetadata"] = new JsonObject { ["promptTokenCount"] = TokensPerLine, ["totalTokenCount"] = TokensPerLine },
                }.ToJsonString();
            }

            output.Append(text).Append('\n');
            if (_random.NextDouble() < Faults.DuplicateLineRate)
            {
                output.Append(text).Append('\n');
            }
        }

        var file = new StoredFile("files/batch-" + batch.Name["batches/".Length..], null, Encoding.UTF8.GetBytes(output.ToString()), Generated: true)
        {
            Undownloadable = batch.Undownloadable,
        };
        if (ResultsExpired?.Invoke(batch.DisplayName) is not true)
        {
            _files[file.Name] = file;
        }

        batch.ResponsesFile = file.Name;
        batch.Failed = failed;
    }

    private async Task DownloadAsync(HttpContext http, string name)
    {
        var file = Locked(() =>
        {
            if (!_files.TryGetValue(name, out var found))
            {
                MissingDownloads++;
                throw new KeyNotFoundException();
            }

            return found;
        });
        if (file.Undownloadable)
        {
            await Error(http, 503, "UNAVAILABLE", "The service is currently unavailable.");
            return;
        }

        if (!file.Generated || http.Request.Query["alt"] != "media")
        {
            await Error(http, 400, "INVALID_ARGUMENT", "only generated files can be downloaded, with alt=media");
            return;
        }

        http.Response.ContentType = "application/jsonl";
        await http.Response.Body.WriteAsync(file.Data);
    }

    private async Task ListAsync(HttpContext http, Func<List<JsonObject>> all, string property)
    {
        var size = int.TryParse(http.Request.Query["pageSize"], out var s) ? Math.Min(s, 3) : 3; // small pages exercise paging
        var start = int.TryParse(http.Request.Query["pageToken"], out var t) ? t : 0;
        var items = Locked(all);
        var page = new JsonObject { [property] = new JsonArray([.. items.Skip(start).Take(size)]) };
        if (start + size < items.Count)
        {
            page["nextPageToken"] = (start + size).ToString(CultureInfo.InvariantCulture);
        }

        await Json(http, page);
    }

    private bool IsPoison(JsonNode request) =>
        Faults.PoisonKeys.Count > 0 && request["content"]!["parts"]!.AsArray()
            .Any(p => p!["text"] is { } t && Faults.PoisonKeys.Any(k => t.GetValue<string>().Contains(k, StringComparison.Ordinal)));

    /// <summary>A unit vector seeded by the request content, with the requested size.</summary>
    internal static JsonObject Embedding(JsonNode request)
    {
        var dims = request["outputDimensionality"]?.GetValue<int>() ?? 3072;
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes(request["content"]!.ToJsonString()));
        var random = new Random(BitConverter.ToInt32(seed));
        var values = new double[dims];
        double sum = 0;
        for (var i = 0; i < dims; i++)
        {
            values[i] = random.NextDouble() - 0.5;
            sum += values[i] * values[i];
        }

        var norm = Math.Sqrt(sum);
        return new JsonObject { ["values"] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create((float)(v / norm)))]) };
    }

    private static JsonObject FileJson(StoredFile f) => new()
    {
        ["name"] = f.Name,
        ["displayName"] = f.DisplayName,
        ["mimeType"] = "application/jsonl",
        ["sizeBytes"] = f.Data.Length.ToString(CultureInfo.InvariantCulture),
        ["state"] = "ACTIVE",
        ["source"] = f.Generated ? "GENERATED" : "UPLOADED",
        ["someFutureField"] = new JsonObject { ["x"] = 1 },
    };

    private static JsonObject BatchJson(Batch b)
    {
        var meta = new JsonObject
        {
            ["@type"] = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatch",
            ["model"] = "models/" + b.Model,
            ["displayName"] = b.DisplayName,
            ["state"] = "BATCH_STATE_" + b.State,
            ["batchStats"] = new JsonObject { ["requestCount"] = b.Lines.ToString(CultureInfo.InvariantCulture), ["failedRequestCount"] = b.Failed.ToString(CultureInfo.InvariantCulture) },
            ["name"] = b.Name,
        };
        var op = new JsonObject { ["name"] = b.Name, ["metadata"] = meta };
        if (b.Terminal)
        {
            op["done"] = true;
            if (b.ResponsesFile is not null)
            {
                meta["output"] = new JsonObject { ["responsesFile"] = b.ResponsesFile };
                op["response"] = new JsonObject { ["responsesFile"] = b.ResponsesFile };
            }
            else
            {
                op["error"] = new JsonObject { ["code"] = b.State == "CANCELLED" ? 1 : 13, ["message"] = "batch " + b.State.ToLowerInvariant() };
            }
        }

        return op;
    }

    private static async Task Json(HttpContext http, JsonNode node)
    {
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(node.ToJsonString());
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private T Locked<T>(Func<T> f)
    {
        lock (_gate)
        {
            return f();
        }
    }

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];

    private sealed class UploadSession(string id, string displayName, long length)
    {
        public string Id { get; } = id;
        public string DisplayName { get; } = displayName;
        public long Length { get; } = length;
        public MemoryStream Data { get; } = new();
        public StoredFile? File { get; set; }
        public int InterruptAfterStoring { get; set; }
    }

    private sealed record StoredFile(string Name, string? DisplayName, byte[] Data, bool Generated)
    {
        public bool Undownloadable { get; init; }
    }

    private sealed class Batch(string name, int number, string model, string displayName, string inputFile, byte[] input, string outcome, bool undownloadable)
    {
        public string Name { get; } = name;
        public int Number { get; } = number;
        public string Model { get; } = model;
        public string DisplayName { get; } = displayName;
        public string InputFile { get; } = inputFile;
        public byte[] Input { get; set; } = input;
        public string Outcome { get; } = outcome;
        public bool Undownloadable { get; } = undownloadable;
        public int Lines { get; } = Encoding.UTF8.GetString(input).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        public string State { get; set; } = "PENDING";
        public int Polls { get; set; }
        public int Gets { get; set; }
        public int Failed { get; set; }
        public string? ResponsesFile { get; set; }
        public bool Terminal => State is "SUCCEEDED" or "FAILED" or "EXPIRED" or "CANCELLED";

        public int Cancel()
        {
            if (!Terminal)
            {
                State = "CANCELLED";
            }

            return 0;
        }
    }
}
