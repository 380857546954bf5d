using System.Collections.Concurrent;
using System.Net;

namespace Gme.AppHost.Tests.Otlp;

/// <summary>
/// A small OTLP/HTTP (protobuf) collector on a loopback port: the services export to it through
/// OTEL_EXPORTER_OTLP_ENDPOINT, and it keeps every span it receives. Metrics and logs are accepted and dropped.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _failedRequests;

    public OtlpReceiver()
    {
        // HttpListener cannot bind port 0: take a free port, and another if something took it meanwhile.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreeLoopbackPort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Endpoint = new Uri($"http://127.0.0.1:{port}");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(ReceiveAsync);
    }

    /// <summary>The base URL for OTEL_EXPORTER_OTLP_ENDPOINT (http/protobuf appends /v1/traces).</summary>
    public Uri Endpoint { get; }

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    /// <summary>Export requests this receiver could not read (a test asserts there are none).</summary>
    public int FailedRequests => _failedRequests;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // Stopped while waiting for a request.
        }

        _listener.Close();
        _stopping.Dispose();
    }

    private async Task ReceiveAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var context = await _listener.GetContextAsync();
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                {
                    foreach (var span in ReceivedSpan.ParseExportRequest(body.ToArray()))
                    {
                        _spans.Enqueue(span);
                    }
                }

                // An empty ExportTraceServiceResponse (no partial_success) is an empty protobuf message.
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
            }
            catch (Exception ex) when (ex is InvalidDataException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                Interlocked.Increment(ref _failedRequests);
                context.Response.StatusCode = 400;
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
