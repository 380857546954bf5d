using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gme.Core.Storage;
using Microsoft.Extensions.Options;

namespace Gme.Sources.HuggingFace;

/// <summary>
/// Lists a dataset split's Parquet files through the Hub API and downloads them, resumably, into
/// <c>{data}/cache/huggingface</c>. Shapes used:
/// <list type="bullet">
/// <item>No revision: <c>GET {base}/api/datasets/{id}/parquet/{config}/{split}</c> answers a JSON array of file URLs
/// (the Hub's Parquet conversion, <c>refs/convert/parquet</c>).</item>
/// <item>With a revision: <c>GET {base}/api/datasets/{id}/revision/{revision}</c> answers
/// <c>{"sha": "...", "siblings": [{"rfilename": "data/train-00000-of-00002.parquet"}, ...]}</c>; the split's
/// <c>.parquet</c> files (named <c>{split}-*</c>, <c>{split}.parquet</c> or under a <c>{split}/</c> folder) are fetched
/// from <c>{base}/datasets/{id}/resolve/{sha}/{rfilename}</c>.</item>
/// </list>
/// The token is sent only to the Hub's own host (redirects to a CDN drop it) and never logged.
/// </summary>
public sealed partial class HuggingFaceHubClient(
    IHttpClientFactory httpClientFactory,
    IOptions<HuggingFaceOptions> options,
    DataPaths paths,
    TimeProvider timeProvider,
    ILogger<HuggingFaceHubClient> logger)
{
    public const string HttpClientName = "gme-huggingface";

    private readonly HuggingFaceOptions _options = options.Value;

    private Uri BaseUrl => _options.BaseUrl.AbsoluteUri.EndsWith('/') ? _options.BaseUrl : new Uri(_options.BaseUrl.AbsoluteUri + "/");

    /// <summary>The split's Parquet files, each with the name it gets in the cache, in the Hub's order.</summary>
    public async Task<IReadOnlyList<(Uri Url, string CacheName)>> ListParquetFilesAsync(HuggingFaceDatasetRef dataset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Revision is null)
        {
            var listing = new Uri(BaseUrl, $"api/datasets/{dataset.Id}/parquet/{_options.Config}/{dataset.Split}");
            using var doc = await GetJsonAsync(listing, dataset, cancellationToken);
            var urls = doc.RootElement.EnumerateArray().Select(e => new Uri(BaseUrl, e.GetString())).ToList();
            return [.. urls.Select((u, i) => (u, $"{i:D5}-{SafeName(u.Segments[^1])}"))];
        }

        var revision = new Uri(BaseUrl, $"api/datasets/{dataset.Id}/revision/{dataset.Revision}");
        using var info = await GetJsonAsync(revision, dataset, cancellationToken);
        var sha = info.RootElement.TryGetProperty("sha", out var s) && s.GetString() is { Length: > 0 } shaText ? shaText : dataset.Revision;
        var files = info.RootElement.GetProperty("siblings").EnumerateArray()
            .Select(e => e.GetProperty("rfilename").GetString() ?? "")
            .Where(f => f.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) && InSplit(f, dataset.Split))
            .Order(StringComparer.Ordinal)
            .ToList();
        return [.. files.Select(f => (new Uri(BaseUrl, $"datasets/{dataset.Id}/resolve/{Uri.EscapeDataString(sha)}/{f}"), SafeName(f)))];
    }

    /// <summary>The local folder a dataset split's files are cached in.</summary>
    public string CacheDirectory(HuggingFaceDatasetRef dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Path.Combine(paths.Root, "cache", "huggingface", dataset.Id.Replace('/', '~'),
            dataset.Revision ?? $"parquet-{_options.Config}", dataset.Split);
    }

    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="target"/> unless it is already there. Bytes go to
    /// <c>target.part</c>; a failed attempt resumes from its length with a Range request (a server that ignores Range
    /// answers 200 and the part file starts over); the finished file is renamed into place.
    /// </summary>
    public async Task DownloadAsync(Uri url, string target, HuggingFaceDatasetRef dataset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (File.Exists(target))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var part = target + ".part";
        var client = httpClientFactory.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var have = File.Exists(part) ? new FileInfo(part).Length : 0;
                using var request = Request(url);
                if (have > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(have, null);
                }

                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0
                    && response.Content.Headers.ContentRange?.Length == have)
                {
                    File.Move(part, target, overwrite: true);
                    return;
                }

                ThrowIfFinal(response, dataset);
                response.EnsureSuccessStatusCode();
                var append = response.StatusCode == HttpStatusCode.PartialContent;
                LogDownloading(logger, dataset.ToString(), url.Segments[^1], append ? have : 0);
                await using (var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                    await body.CopyToAsync(file, cancellationToken);
                }

                File.Move(part, target, overwrite: true);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && attempt < _options.MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                var delay = _options.RetryBaseDelay * Math.Pow(2, attempt - 1);
                LogRetrying(logger, dataset.ToString(), url.Segments[^1], attempt, ex.Message);
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
        }
    }

    private async Task<JsonDocument> GetJsonAsync(Uri url, HuggingFaceDatasetRef dataset, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = Request(url);
                using var response = await client.SendAsync(request, cancellationToken);
                ThrowIfFinal(response, dataset);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && attempt < _options.MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                LogRetrying(logger, dataset.ToString(), url.AbsolutePath, attempt, ex.Message);
                await Task.Delay(_options.RetryBaseDelay * Math.Pow(2, attempt - 1), timeProvider, cancellationToken);
            }
        }
    }

    private HttpRequestMessage Request(Uri url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        var token = string.IsNullOrWhiteSpace(_options.Token) ? Environment.GetEnvironmentVariable("HF_TOKEN") : _options.Token;
        if (!string.IsNullOrWhiteSpace(token) && string.Equals(url.Authority, BaseUrl.Authority, StringComparison.OrdinalIgnoreCase))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>Answers retrying cannot fix get a message naming the dataset and what to do (never the token).</summary>
    private static void ThrowIfFinal(HttpResponseMessage response, HuggingFaceDatasetRef dataset)
    {
        var message = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                $"HuggingFace dataset {dataset}: access denied ({(int)response.StatusCode}); set Gme:HuggingFace:Token or HF_TOKEN for gated or private datasets",
            HttpStatusCode.NotFound => $"HuggingFace dataset {dataset}: not found (404); check the id, revision and split",
            _ => null,
        };
        if (message is not null)
        {
            throw new InvalidOperationException(message);
        }
    }

    private static bool InSplit(string path, string split)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith(split + "-", StringComparison.Ordinal)
            || name.Equals(split + ".parquet", StringComparison.Ordinal)
            || path.Contains("/" + split + "/", StringComparison.Ordinal)
            || path.StartsWith(split + "/", StringComparison.Ordinal);
    }

    private static string SafeName(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));

    [LoggerMessage(1100, LogLevel.Information, "HuggingFace dataset {Dataset}: downloading {File} from byte {Offset}")]
    private static partial void LogDownloading(ILogger logger, string dataset, string file, long offset);

    [LoggerMessage(1101, LogLevel.Warning, "HuggingFace dataset {Dataset}: {File} attempt {Attempt} failed, retrying: {Error}")]
    private static partial void LogRetrying(ILogger logger, string dataset, string file, int attempt, string error);
}
