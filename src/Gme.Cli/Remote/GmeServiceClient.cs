using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Gme.Cli.Hosting;
using Gme.Cli.Output;

namespace Gme.Cli.Remote;

/// <summary>
/// HTTP calls of the `--url` commands. Every failure becomes a <see cref="CliException"/>: one line naming the service,
/// exit 1 when the service cannot be reached or fails (retrying later may work), 2 when it refuses the request (the
/// key, a parameter: the user's to fix). The key travels only in the <c>X-Api-Key</c> header, never in a message.
/// </summary>
internal sealed class GmeServiceClient : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http;

    public GmeServiceClient(Uri baseAddress, string? apiKey)
    {
        BaseAddress = new Uri(baseAddress.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
        _http = new HttpClient { BaseAddress = BaseAddress, Timeout = s_timeout };
        if (apiKey is not null)
        {
            _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
    }

    public Uri BaseAddress { get; }

    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(() => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<T> PostAsync<T>(string path, HttpContent content, CancellationToken cancellationToken) =>
        SendAsync<T>(() => new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        using var message = request();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot reach {BaseAddress}: {Reason(ex)}", 1);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"{BaseAddress} did not answer within {s_timeout.TotalSeconds:N0} s", 1);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return await response.Content.ReadFromJsonAsync<T>(Json.Options, cancellationToken)
                        ?? throw new JsonException("empty body");
                }
                catch (JsonException)
                {
                    throw new CliException($"{BaseAddress} answered {message.RequestUri} with something that is not a Gme service's JSON; is --url a Gme Ingest or Search endpoint?", 2);
                }
            }

            var detail = await DetailAsync(response, cancellationToken);
            var code = (int)response.StatusCode;
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new CliException(
                    $"{BaseAddress} refused the request (401): give its API key with --api-key or {RemoteOptions.ApiKeyVariable}", 2),
                HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed when detail is null => new CliException(
                    $"{BaseAddress} has no {message.RequestUri?.AbsolutePath} ({code}); is --url a Gme Ingest or Search endpoint?", 2),
                _ when code < 500 => new CliException($"{BaseAddress} refused the request ({code}): {detail ?? response.ReasonPhrase}", 2),
                _ => new CliException($"{BaseAddress} failed ({code}): {detail ?? response.ReasonPhrase}", 1),
            };
        }
    }

    /// <summary>The ProblemDetails detail, when the body is one.</summary>
    private static async Task<string?> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("detail", out var detail)
                ? detail.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Reason(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException socket => socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused (is the service running?)",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connection timed out",
            _ => socket.Message,
        },
        { } inner => inner.Message,
        null => ex.Message,
    };
}
