using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Gme.Core.Embeddings;
using Microsoft.Extensions.Options;

namespace Gme.Gemini;

/// <summary>
/// The Gemini REST surface Gme needs, spoken directly over HttpClient (the Google SDK is not available). The key
/// travels only in the <c>x-goog-api-key</c> header. Only safe calls (GET, upload chunk, upload query) are retried
/// here; a POST that creates or bills something is sent once and its caller decides what to do next.
/// </summary>
public sealed class GeminiClient(HttpClient http, IOptions<GeminiOptions> options, GeminiRequestBudget budget, TimeProvider clock,
    ILogger<GeminiClient> logger)
{
    public const string HttpClientName = "gemini";
    private const string KeyHeader = "x-goog-api-key";

    private readonly GeminiOptions _options = options.Value;

    private string Model => "models/" + _options.Model;

    public TimeSpan SafeRetryBaseDelay => _options.SafeRetryBaseDelay;

    /// <summary>
    /// Synchronous embedding of one request body (an <c>EmbedContentRequest</c> without model), for queries: it creates
    /// nothing, so 408/429/5xx and network errors are retried, waiting as the server asks, until
    /// <see cref="GeminiOptions.QueryDeadline"/> has passed; then the last error is thrown.
    /// </summary>
    public async Task<float[]> EmbedContentAsync(byte[] requestJson, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + _options.QueryDeadline;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await SendOnceAsync(() => JsonPost($"v1beta/{Model}:embedContent", requestJson), "embedContent", ct);
                using var doc = await ReadJsonAsync(response, ct);
                return ReadValues(doc.RootElement.GetProperty("embedding"));
            }
            catch (GeminiApiException ex) when (ex.IsTransient)
            {
                var delay = Backoff(attempt, ex.RetryAfter);
                if (clock.GetUtcNow() + delay >= deadline)
                {
                    throw;
                }

                logger.SafeCallRetrying("embedContent", ex.StatusCode?.ToString() ?? "network error", attempt, delay);
                await Task.Delay(delay, clock, ct);
            }
        }
    }

    /// <summary>Synchronous multi-item call (at most 100 requests, each with <c>model</c>); vectors in request order.</summary>
    public async Task<IReadOnlyList<float[]>> BatchEmbedContentsAsync(IReadOnlyList<string> requestJsons, CancellationToken ct)
    {
        if (requestJsons.Count is 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(requestJsons), requestJsons.Count, "batchEmbedContents takes 1 to 100 requests");
        }

        var body = Encoding.UTF8.GetBytes("{\"requests\":[" + string.Join(',', requestJsons) + "]}");
        using var response = await SendOnceAsync(() => JsonPost($"v1beta/{Model}:batchEmbedContents", body), "batchEmbedContents", ct);
        using var doc = await ReadJsonAsync(response, ct);
        var list = doc.RootElement.GetProperty("embeddings").EnumerateArray().Select(ReadValues).ToList();
        if (list.Count != requestJsons.Count)
        {
            throw new GeminiApiException(null, $"batchEmbedContents returned {list.Count} embeddings for {requestJsons.Count} requests");
        }

        return list;
    }

    /// <summary>Resumable upload: start a session, send chunks, finalize; an interrupted chunk is resumed from the offset the server reports.</summary>
    public async Task<GeminiFile> UploadFileAsync(string path, string displayName, string mimeType, CancellationToken ct)
    {
        var length = new FileInfo(path).Length;
        var sessionUrl = await StartUploadAsync(displayName, mimeType, length, ct);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var buffer = new byte[(int)Math.Min(_options.UploadChunkBytes, Math.Max(length, 1))];
        long offset = 0;
        var failures = 0;
        while (true)
        {
            stream.Position = offset;
            var count = await stream.ReadAtLeastAsync(buffer, (int)Math.Min(buffer.Length, length - offset), throwOnEndOfStream: false, ct);
            var last = offset + count >= length;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, sessionUrl) { Content = new ByteArrayContent(buffer, 0, count) };
                request.Headers.Add("X-Goog-Upload-Command", last ? "upload, finalize" : "upload");
                request.Headers.Add("X-Goog-Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
                await budget.WaitAsync(ct);
                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    if (last)
                    {
                        using var doc = await ReadJsonAsync(response, ct);
                        return ReadFile(doc.RootElement.GetProperty("file"));
                    }

                    offset += count;
                    continue;
                }

                await ThrowForAsync(response, "upload chunk", ct);
            }
            catch (Exception ex) when (IsTransientFailure(ex, ct) && ++failures < _options.MaxSafeAttempts)
            {
                await Task.Delay(Backoff(failures, null), clock, ct);
                var (final, received, file) = await QueryUploadAsync(sessionUrl, ct);
                if (final)
                {
                    return file!;
                }

                logger.UploadResuming(displayName, received);
                offset = received;
            }
        }
    }

    /// <summary>The file, or null when it does not exist (deleted, or expired after 48 h).</summary>
    public async Task<GeminiFile?> FindFileAsync(string name, CancellationToken ct)
    {
        try
        {
            return await GetFileAsync(name, ct);
        }
        catch (GeminiApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<GeminiFile> GetFileAsync(string name, CancellationToken ct)
    {
        using var response = await SendSafeAsync(() => Request(HttpMethod.Get, "v1beta/" + name), "files.get", ct);
        using var doc = await ReadJsonAsync(response, ct);
        return ReadFile(doc.RootElement);
    }

    public async Task<GeminiPage<GeminiFile>> ListFilesAsync(string? pageToken, CancellationToken ct)
    {
        var url = "v1beta/files?pageSize=100" + (pageToken is null ? string.Empty : "&pageToken=" + Uri.EscapeDataString(pageToken));
        using var response = await SendSafeAsync(() => Request(HttpMethod.Get, url), "files.list", ct);
        using var doc = await ReadJsonAsync(response, ct);
        var files = doc.RootElement.TryGetProperty("files", out var f) ? f.EnumerateArray().Select(ReadFile).ToList() : [];
        return new GeminiPage<GeminiFile>(files, NextPageToken(doc.RootElement));
    }

    /// <summary>Deletes a file; one that is already gone counts as deleted.</summary>
    public async Task DeleteFileAsync(string name, CancellationToken ct) => await DeleteAsync("v1beta/" + name, "files.delete", ct);

    /// <summary>Creates a batch from an uploaded file. Not idempotent and therefore never retried here.</summary>
    public async Task<GeminiBatch> CreateBatchAsync(string displayName, string fileName, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["batch"] = new Dictionary<string, object>
            {
                ["displayName"] = displayName,
                ["inputConfig"] = new Dictionary<string, string> { ["fileName"] = fileName },
            },
        });
        using var response = await SendOnceAsync(() => JsonPost($"v1beta/{Model}:asyncBatchEmbedContent", body), "asyncBatchEmbedContent", ct);
        using var doc = await ReadJsonAsync(response, ct);
        return ReadBatch(doc.RootElement);
    }

    public async Task<GeminiBatch> GetBatchAsync(string name, CancellationToken ct)
    {
        using var response = await SendSafeAsync(() => Request(HttpMethod.Get, "v1beta/" + name), "batches.get", ct);
        using var doc = await ReadJsonAsync(response, ct);
        return ReadBatch(doc.RootElement);
    }

    public async Task<GeminiPage<GeminiBatch>> ListBatchesAsync(string? pageToken, CancellationToken ct)
    {
        var url = "v1beta/batches?pageSize=100" + (pageToken is null ? string.Empty : "&pageToken=" + Uri.EscapeDataString(pageToken));
        using var response = await SendSafeAsync(() => Request(HttpMethod.Get, url), "batches.list", ct);
        using var doc = await ReadJsonAsync(response, ct);
        var ops = doc.RootElement.TryGetProperty("operations", out var o) ? o.EnumerateArray().Select(ReadBatch).ToList() : [];
        return new GeminiPage<GeminiBatch>(ops, NextPageToken(doc.RootElement));
    }

    /// <summary>Asks the service to stop a batch (best effort; keep polling until CANCELLED).</summary>
    public async Task CancelBatchAsync(string name, CancellationToken ct)
    {
        using var response = await SendOnceAsync(() => JsonPost($"v1beta/{name}:cancel", "{}"u8.ToArray()), "batches.cancel", ct);
    }

    public async Task DeleteBatchAsync(string name, CancellationToken ct) => await DeleteAsync("v1beta/" + name, "batches.delete", ct);

    /// <summary>Streams a responses file line by line, without holding it in memory.</summary>
    public async IAsyncEnumerable<GeminiResultLine> DownloadResultsAsync(string responsesFile, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendSafeAsync(
            () => Request(HttpMethod.Get, $"download/v1beta/{responsesFile}:download?alt=media"), "download", ct, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return ParseResultLine(line);
        }
    }

    /// <summary>Lists every remote batch, all pages.</summary>
    public async IAsyncEnumerable<GeminiBatch> ListAllBatchesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var page = await ListBatchesAsync(token, ct);
            foreach (var batch in page.Items)
            {
                yield return batch;
            }

            token = page.NextPageToken;
        }
        while (token is not null);
    }

    /// <summary>Lists every uploaded or generated file, all pages.</summary>
    public async IAsyncEnumerable<GeminiFile> ListAllFilesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var page = await ListFilesAsync(token, ct);
            foreach (var file in page.Items)
            {
                yield return file;
            }

            token = page.NextPageToken;
        }
        while (token is not null);
    }

    internal static GeminiResultLine ParseResultLine(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var key = root.TryGetProperty("key", out var k) ? k.GetString() ?? string.Empty
            : root.TryGetProperty("metadata", out var m) && m.TryGetProperty("key", out var mk) ? mk.GetString() ?? string.Empty : string.Empty;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            return new GeminiResultLine(key, null, DescribeStatus(error));
        }

        if (root.TryGetProperty("response", out var response))
        {
            var tokens = PromptTokens(root) ?? PromptTokens(response);
            if (response.TryGetProperty("embedding", out var embedding))
            {
                return new GeminiResultLine(key, ReadValues(embedding), null, tokens);
            }

            // The source project read embeddings[0]; accept it too.
            if (response.TryGetProperty("embeddings", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0)
            {
                return new GeminiResultLine(key, ReadValues(list[0]), null, tokens);
            }
        }

        return new GeminiResultLine(key, null, "result line has neither an embedding nor an error");
    }

    /// <summary>The billed prompt tokens of a result: <c>usageMetadata.promptTokenCount</c>, or the SDK's <c>tokenCount</c>.</summary>
    private static long? PromptTokens(JsonElement e) =>
        e.ValueKind != JsonValueKind.Object ? null
        : e.TryGetProperty("usageMetadata", out var usage) && Int64(usage, "promptTokenCount") is { } prompt ? prompt
        : Int64(e, "tokenCount");

    internal static BatchJobState MapState(string? state)
    {
        var suffix = state ?? string.Empty;
        foreach (var prefix in new[] { "BATCH_STATE_", "JOB_STATE_" })
        {
            if (suffix.StartsWith(prefix, StringComparison.Ordinal))
            {
                suffix = suffix[prefix.Length..];
            }
        }

        // Unknown values (QUEUED, PAUSED, UPDATING, ...) are not terminal: keep polling.
        return suffix switch
        {
            "SUCCEEDED" or "PARTIALLY_SUCCEEDED" => BatchJobState.Succeeded,
            "FAILED" => BatchJobState.Failed,
            "CANCELLED" => BatchJobState.Cancelled,
            "EXPIRED" => BatchJobState.Expired,
            "RUNNING" => BatchJobState.Running,
            _ => BatchJobState.Pending,
        };
    }

    internal static GeminiBatch ReadBatch(JsonElement op)
    {
        var meta = op.TryGetProperty("metadata", out var m) ? m : op;
        var name = Str(op, "name") ?? Str(meta, "name") ?? throw new GeminiApiException(null, "batch operation without a name");
        string? responses = null;
        if (meta.TryGetProperty("output", out var output))
        {
            responses = Str(output, "responsesFile");
        }

        if (responses is null && op.TryGetProperty("response", out var resp))
        {
            responses = Str(resp, "responsesFile");
        }

        string? input = meta.TryGetProperty("inputConfig", out var ic) ? Str(ic, "fileName") : null;
        long? requests = null, failed = null;
        if (meta.TryGetProperty("batchStats", out var stats))
        {
            requests = Int64(stats, "requestCount");
            failed = Int64(stats, "failedRequestCount");
        }

        var error = op.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? DescribeStatus(e) : null;
        var done = op.TryGetProperty("done", out var d) && d.ValueKind == JsonValueKind.True;
        return new GeminiBatch(name, Str(meta, "displayName"), MapState(Str(meta, "state")), done, responses, input, error, requests, failed);
    }

    private static GeminiFile ReadFile(JsonElement file) =>
        new(Str(file, "name") ?? throw new GeminiApiException(null, "file without a name"), Str(file, "displayName"), Int64(file, "sizeBytes"), Str(file, "state"));

    private static string? NextPageToken(JsonElement root) => Str(root, "nextPageToken") is { Length: > 0 } t ? t : null;

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>proto3 JSON writes int64 as a string; accept a number too.</summary>
    private static long? Int64(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt64(out var n) => n,
            JsonValueKind.String when long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
    }

    private static float[] ReadValues(JsonElement embedding)
    {
        var values = embedding.GetProperty("values");
        var result = new float[values.GetArrayLength()];
        var i = 0;
        foreach (var v in values.EnumerateArray())
        {
            result[i++] = v.GetSingle();
        }

        return result;
    }

    private static string DescribeStatus(JsonElement status)
    {
        var code = status.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32().ToString(CultureInfo.InvariantCulture) : "?";
        return $"code {code}: {Str(status, "message") ?? Str(status, "status") ?? "no message"}";
    }

    private async Task<string> StartUploadAsync(string displayName, string mimeType, long length, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["file"] = new Dictionary<string, string> { ["displayName"] = displayName },
        });
        using var response = await SendOnceAsync(() =>
        {
            var request = JsonPost("upload/v1beta/files", body);
            request.Headers.Add("X-Goog-Upload-Protocol", "resumable");
            request.Headers.Add("X-Goog-Upload-Command", "start");
            request.Headers.Add("X-Goog-Upload-Header-Content-Length", length.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-Goog-Upload-Header-Content-Type", mimeType);
            return request;
        }, "upload start", ct);

        // HttpHeaders lookups are case-insensitive, which covers both spellings the SDK checks.
        return response.Headers.TryGetValues("x-goog-upload-url", out var urls) && urls.FirstOrDefault() is { Length: > 0 } url
            ? url
            : throw new GeminiApiException(response.StatusCode, "upload start returned no x-goog-upload-url header");
    }

    private async Task<(bool Final, long Received, GeminiFile? File)> QueryUploadAsync(string sessionUrl, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, sessionUrl);
                request.Headers.Add("X-Goog-Upload-Command", "query");
                await budget.WaitAsync(ct);
                using var response = await http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode)
                {
                    await ThrowForAsync(response, "upload query", ct);
                }

                var status = Header(response, "x-goog-upload-status");
                if (string.Equals(status, "final", StringComparison.OrdinalIgnoreCase))
                {
                    using var doc = await ReadJsonAsync(response, ct);
                    return (true, 0, ReadFile(doc.RootElement.GetProperty("file")));
                }

                var received = long.TryParse(Header(response, "x-goog-upload-size-received"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : 0;
                return (false, received, null);
            }
            catch (Exception ex) when (IsTransientFailure(ex, ct) && attempt < _options.MaxSafeAttempts)
            {
                await Task.Delay(Backoff(attempt, null), clock, ct);
            }
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private async Task DeleteAsync(string url, string operation, CancellationToken ct)
    {
        try
        {
            using var response = await SendSafeAsync(() => Request(HttpMethod.Delete, url), operation, ct);
        }
        catch (GeminiApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone: deleting is idempotent by intent.
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string relative)
    {
        var request = new HttpRequestMessage(method, new Uri(_options.BaseUrl, relative));
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            request.Headers.TryAddWithoutValidation(KeyHeader, _options.ApiKey);
        }

        return request;
    }

    private HttpRequestMessage JsonPost(string relative, byte[] body)
    {
        var request = Request(HttpMethod.Post, relative);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> make, string operation, CancellationToken ct)
    {
        using var request = make();
        HttpResponseMessage response;
        await budget.WaitAsync(ct);
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new GeminiApiException(null, $"Gemini {operation}: {SecretRedactor.Redact(ex.Message, _options.ApiKey)}");
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                await ThrowForAsync(response, operation, ct);
            }
        }

        return response;
    }

    /// <summary>GET and DELETE: retried on 408/429/5xx and network errors, honouring the server's requested delay.</summary>
    private async Task<HttpResponseMessage> SendSafeAsync(Func<HttpRequestMessage> make, string operation, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = make();
            try
            {
                HttpResponseMessage response;
                await budget.WaitAsync(ct);
                try
                {
                    response = await http.SendAsync(request, completion, ct);
                }
                catch (HttpRequestException ex)
                {
                    throw new GeminiApiException(null, $"Gemini {operation}: {SecretRedactor.Redact(ex.Message, _options.ApiKey)}");
                }

                if (response.IsSuccessStatusCode)
                {
                    return response;
                }

                using (response)
                {
                    await ThrowForAsync(response, operation, ct);
                }
            }
            catch (GeminiApiException ex) when (ex.IsTransient && attempt < _options.MaxSafeAttempts)
            {
                var delay = Backoff(attempt, ex.RetryAfter);
                logger.SafeCallRetrying(operation, ex.StatusCode?.ToString() ?? "network error", attempt, delay);
                await Task.Delay(delay, clock, ct);
            }
        }
    }

    private TimeSpan Backoff(int attempt, TimeSpan? serverDelay)
    {
        if (serverDelay is { } asked)
        {
            return asked;
        }

        var exp = SafeRetryBaseDelay * Math.Pow(2, Math.Min(attempt - 1, 10));
        var capped = exp > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : exp;
        return capped + (capped * 0.25 * Random.Shared.NextDouble());
    }

    private static bool IsTransientFailure(Exception ex, CancellationToken ct) =>
        !ct.IsCancellationRequested && ex is HttpRequestException or IOException or TaskCanceledException
            || ex is GeminiApiException { IsTransient: true };

    private async Task ThrowForAsync(HttpResponseMessage response, string operation, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        var retry = GeminiRetryHints.Read(response, body);
        var detail = GeminiRetryHints.ErrorMessage(body) ?? response.ReasonPhrase ?? "no detail";
        throw new GeminiApiException(response.StatusCode,
            $"Gemini {operation} failed: {(int)response.StatusCode} {SecretRedactor.Redact(detail, _options.ApiKey)}", retry);
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        return await JsonDocument.ParseAsync(stream, cancellationToken: ct);
    }
}
