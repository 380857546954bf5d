using System.Net;
using Gme.Core.Images;
using Gme.Core.Storage;
using Microsoft.Extensions.Options;

namespace Gme.Images;

/// <summary>
/// Fetches a product photo (http(s) URL or absolute local path), normalises it and stores it in the image cache.
/// A local file is read only when its real path (links resolved) lies inside the run's images root and it is a
/// regular file, checked before opening (a FIFO blocks on open, /dev/zero never ends), and never past the download
/// byte budget; its bytes then take the same sniff, pixel budget and decoder path as a download.
/// Retries transient failures itself (429, 5xx, timeouts, network errors) with exponential backoff and jitter,
/// honouring Retry-After, all inside one deadline per image; the named client therefore has no resilience handler.
/// Never throws for a bad image or server: the result carries a short reason and whether retrying later can help.
/// Redirects are followed here, not by the handler, so that every hop is checked by <see cref="NetworkGuard"/>, loops
/// are caught and the hop count is bounded; downloads in flight are capped process-wide by <see cref="DownloadLimiter"/>.
/// </summary>
public sealed partial class HttpImageFetcher(
    IHttpClientFactory httpClientFactory,
    ImageNormalizer normalizer,
    IImageCache cache,
    DownloadLimiter limiter,
    IOptions<ImageFetchOptions> options,
    TimeProvider timeProvider,
    ILogger<HttpImageFetcher> logger) : IImageFetcher
{
    /// <summary>The named <see cref="HttpClient"/> the fetcher uses; its handler is configured in <see cref="ImageServiceCollectionExtensions"/>.</summary>
    public const string HttpClientName = "gme-images";

    private readonly ImageFetchOptions _options = options.Value;

    public Task<ImageFetchResult> FetchAsync(string imageRef, CancellationToken cancellationToken = default) =>
        FetchAsync(imageRef, localRoot: null, cancellationToken);

    public async Task<ImageFetchResult> FetchAsync(string imageRef, string? localRoot, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imageRef);

        Download download;
        if (Uri.TryCreate(imageRef, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            if (NetworkGuard.CheckUri(uri) is { } refusal)
            {
                return ImageFetchResult.Fail(refusal, permanent: true);
            }

            download = await DownloadWithRetriesAsync(uri, cancellationToken);
        }
        else if (Path.IsPathFullyQualified(imageRef))
        {
            download = await ReadLocalFileAsync(imageRef, localRoot, cancellationToken);
        }
        else
        {
            return ImageFetchResult.Fail("invalid_image_ref", permanent: true);
        }

        if (download.Bytes is not { } bytes)
        {
            return ImageFetchResult.Fail(download.FailureReason ?? "fetch_failed", download.Permanent);
        }

        var normalized = await limiter.RunCpuBoundAsync(() => normalizer.Normalize(bytes), cancellationToken);
        if (normalized.Bytes is not { } jpeg)
        {
            var reason = normalized.FailureReason ?? "corrupt_image";
            LogRejected(logger, imageRef, reason);
            return ImageFetchResult.Fail(reason, permanent: true);
        }

        var sha256 = await cache.StoreAsync(jpeg, cancellationToken);
        return ImageFetchResult.Ok(sha256, jpeg.Length, normalized.Width, normalized.Height, fromCache: false);
    }

    private async Task<Download> ReadLocalFileAsync(string path, string? root, CancellationToken cancellationToken)
    {
        if (root is null)
        {
            return Download.Fail("local_path_without_root", permanent: true);
        }

        try
        {
            switch (ConfinedPath.Check(root, path, out var realPath))
            {
                case ConfinementRefusal.OutsideRoot:
                    return Download.Fail("outside_images_root", permanent: true);
                case ConfinementRefusal.LinkOutsideRoot:
                    return Download.Fail("link_outside_images_root", permanent: true);
            }

            // The type is checked on the resolved path, before anything opens it.
            switch (FileKinds.Of(realPath))
            {
                case FileKind.Missing:
                    return Download.Fail("file_not_found", permanent: true);
                case FileKind.Directory:
                    return Download.Fail("is_a_directory", permanent: true);
                case FileKind.Regular:
                    break;
                default:
                    return Download.Fail("not_a_regular_file", permanent: true);
            }

            if (new FileInfo(realPath).Length > _options.MaxBodyBytes)
            {
                return Download.Fail("body_too_large", permanent: true);
            }

            using var deadline = new CancellationTokenSource(_options.Timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            await using var stream = new FileStream(realPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

            // The length can change between the check and the read: the budget holds while reading, as for a download.
            var bytes = await ReadLimitedAsync(stream, contentLength: null, _options.MaxBodyBytes, linked.Token);
            return bytes is null ? Download.Fail("body_too_large", permanent: true) : Download.Ok(bytes);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Download.Fail("timeout", permanent: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Download.Fail("file_not_found", permanent: true);
        }
        catch (UnauthorizedAccessException)
        {
            return Download.Fail("file_not_readable", permanent: true);
        }
        catch (IOException)
        {
            return Download.Fail("io_error", permanent: false);
        }
    }

    private async Task<Download> DownloadWithRetriesAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var deadlineAt = timeProvider.GetUtcNow() + _options.Timeout;
        var client = httpClientFactory.CreateClient(HttpClientName);

        for (var attempt = 0; ; attempt++)
        {
            Download result;
            TimeSpan? retryAfter = null;
            try
            {
                (result, retryAfter) = await DownloadOnceAsync(client, uri, linked.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return Download.Fail("timeout", permanent: false);
            }
            catch (HttpRequestException ex) when (FindBlocked(ex) is not null)
            {
                // The SSRF guard refused every address of the host: final, retrying cannot change the policy.
                return Download.Fail("blocked_address", permanent: true);
            }
            catch (HttpRequestException ex)
            {
                result = Download.Fail(ex.HttpRequestError == HttpRequestError.NameResolutionError ? "dns_error" : "network_error", permanent: false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The handler's ConnectTimeout, not our deadline.
                result = Download.Fail("connect_timeout", permanent: false);
            }
            catch (IOException)
            {
                result = Download.Fail("network_error", permanent: false);
            }

            if (result.Bytes is not null || result.Permanent || attempt >= _options.MaxRetries)
            {
                return result;
            }

            var delay = Backoff(attempt, retryAfter);
            if (timeProvider.GetUtcNow() + delay >= deadlineAt)
            {
                // Waiting would run past the deadline: give up now with the real reason rather than "timeout".
                return result;
            }

            LogRetrying(logger, uri, result.FailureReason, attempt + 1, delay);
            try
            {
                await Task.Delay(delay, timeProvider, linked.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return result;
            }
        }
    }

    private async Task<(Download Result, TimeSpan? RetryAfter)> DownloadOnceAsync(HttpClient client, Uri uri, CancellationToken cancellationToken)
    {
        var current = uri;
        var visited = new HashSet<string>(StringComparer.Ordinal) { uri.AbsoluteUri };
        for (var hop = 0; ; hop++)
        {
            using var lease = await limiter.AcquireAsync(current.IdnHost, cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Get, current)
            {
                // HTTP/2 where the server offers it (ALPN over TLS), HTTP/1.1 otherwise.
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            };
            request.Headers.Accept.ParseAdd("image/*");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308)
            {
                if (response.Headers.Location is not { } location)
                {
                    return (Download.Fail("redirect_without_location", permanent: true), null);
                }

                var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (NetworkGuard.CheckUri(next) is { } refusal)
                {
                    return (Download.Fail(refusal, permanent: true), null);
                }

                if (!visited.Add(next.AbsoluteUri))
                {
                    return (Download.Fail("redirect_loop", permanent: true), null);
                }

                if (hop >= _options.MaxRedirects)
                {
                    return (Download.Fail("too_many_redirects", permanent: true), null);
                }

                current = next;
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                var transient = status is 408 or 429 or >= 500;
                var retryAfter = transient ? RetryAfter(response) : null;
                return (Download.Fail($"http_{status}", permanent: !transient), retryAfter);
            }

            if (response.Content.Headers.ContentLength > _options.MaxBodyBytes)
            {
                return (Download.Fail("body_too_large", permanent: true), null);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var bytes = await ReadLimitedAsync(body, response.Content.Headers.ContentLength, _options.MaxBodyBytes, cancellationToken);
            if (bytes is null)
            {
                return (Download.Fail("body_too_large", permanent: true), null);
            }

            Diagnostics.ImageBytes.Add(bytes.Length);
            return (Download.Ok(bytes), null);
        }
    }

    private static BlockedAddressException? FindBlocked(Exception ex)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
        {
            if (e is BlockedAddressException blocked)
            {
                return blocked;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads the body, stopping as soon as it passes the limit (Content-Length can be absent or wrong). With a
    /// Content-Length the bytes go straight into an array of that size; otherwise through a pooled chunk.
    /// </summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long? contentLength, long maxBytes, CancellationToken cancellationToken)
    {
        if (contentLength is { } length and > 0 and <= int.MaxValue)
        {
            var exact = new byte[length];
            var filled = 0;
            int n;
            while (filled < exact.Length && (n = await body.ReadAsync(exact.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += n;
            }

            // A body that ends early is returned short (the normaliser calls it corrupt); one that runs on is too large.
            if (filled == exact.Length && await body.ReadAsync(new byte[1], cancellationToken) > 0)
            {
                return null;
            }

            return filled == exact.Length ? exact : exact[..filled];
        }

        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Exponential backoff with ±25 % jitter so that many failed downloads do not retry in step.</summary>
    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = _options.RetryBaseDelay * Math.Pow(2, attempt);
        var jittered = exponential * (0.75 + (Random.Shared.NextDouble() * 0.5));
        var delay = retryAfter is { } server && server > jittered ? server : jittered;
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retrying image {Uri} after {Reason} (retry {Retry}, waiting {Delay})")]
    private static partial void LogRetrying(ILogger logger, Uri uri, string? reason, int retry, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Image {ImageRef} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string imageRef, string reason);

    private readonly record struct Download(byte[]? Bytes, string? FailureReason, bool Permanent)
    {
        public static Download Ok(byte[] bytes) => new(bytes, null, false);

        public static Download Fail(string reason, bool permanent) => new(null, reason, permanent);
    }
}
