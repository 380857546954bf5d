using System.Collections.Concurrent;
using Gme.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Gme.Tests.Ingest;

/// <summary>
/// A fake HuggingFace Hub on loopback, answering in the Hub's shapes: the Parquet listing
/// (<c>/api/datasets/{id}/parquet/{config}/{split}</c>, a JSON array of URLs), revision info
/// (<c>/api/datasets/{id}/revision/{rev}</c> with <c>sha</c> and <c>siblings</c>) and file downloads with Range
/// support. The first download of each file is cut off half way, so clients must resume. Requests without the
/// expected bearer token (when one is set) get 401.
/// </summary>
internal sealed class FakeHub : IAsyncDisposable
{
    public const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private readonly ConcurrentDictionary<string, int> _downloads = new(StringComparer.Ordinal);
    private LoopbackServer? _server;

    private FakeHub(string dataset, IReadOnlyList<byte[]> files, string? token)
    {
        Dataset = dataset;
        Files = files;
        Token = token;
    }

    public string Dataset { get; }
    public IReadOnlyList<byte[]> Files { get; }
    public string? Token { get; }
    public Uri BaseAddress => (_server ?? throw new InvalidOperationException("not started")).BaseAddress;

    private int _rangeRequests;

    /// <summary>Requests that carried a Range header (resumes).</summary>
    public int RangeRequests => Volatile.Read(ref _rangeRequests);

    public int Downloads(string file) => _downloads.GetValueOrDefault(file);

    public int TotalDownloads => _downloads.Values.Sum();

    public static async Task<FakeHub> StartAsync(string dataset, IReadOnlyList<byte[]> files, string? token = null)
    {
        var hub = new FakeHub(dataset, files, token);
        hub._server = await LoopbackServer.StartAsync(hub.Routes);
        return hub;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>H&amp;M-shaped rows, with the precomputed embedding columns the source must drop.</summary>
    public static Task<byte[]> ParquetAsync(int firstRow, int rows, int rowGroupSize, CancellationToken ct) =>
        HmParquetGenerator.ToBytesAsync(
            Enumerable.Range(firstRow, rows).Select(i => HmParquetGenerator.Garment(i, "with a relaxed fit.", [i, 0.5f, 0.25f, 0.125f], [i % 100, 7], [0.5f, 0.25f])),
            rowGroupSize,
            ct);

    private void Routes(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (Token is not null && context.Request.Headers.Authorization != $"Bearer {Token}")
            {
                context.Response.StatusCode = 401;
                return;
            }

            await next(context);
        });
        app.MapGet("/api/datasets/{owner}/{name}/parquet/{config}/{split}", (string owner, string name, string config, string split) =>
            $"{owner}/{name}" != Dataset || config != "default" || split != "train"
                ? Results.NotFound()
                : Results.Json(Enumerable.Range(0, Files.Count).Select(i => new Uri(BaseAddress, $"api/datasets/{Dataset}/parquet/default/train/{i}.parquet").AbsoluteUri)));
        app.MapGet("/api/datasets/{owner}/{name}/revision/{rev}", (string owner, string name, string rev) =>
            $"{owner}/{name}" != Dataset
                ? Results.NotFound()
                : Results.Json(new
                {
                    id = Dataset,
                    sha = Sha,
                    siblings = Enumerable.Range(0, Files.Count).Select(i => new { rfilename = $"data/train-{i:D5}-of-{Files.Count:D5}.parquet" })
                        .Append(new { rfilename = "data/test-00000-of-00001.parquet" })
                        .Append(new { rfilename = "README.md" }),
                }));
        app.MapGet("/api/datasets/{owner}/{name}/parquet/default/train/{index:int}.parquet", (HttpContext context, int index) => ServeAsync(context, index));
        app.MapGet("/datasets/{owner}/{name}/resolve/{sha}/data/{file}", (HttpContext context, string sha, string file) =>
            sha == Sha && file.StartsWith("train-", StringComparison.Ordinal)
                ? ServeAsync(context, int.Parse(file.AsSpan(6, 5), System.Globalization.CultureInfo.InvariantCulture))
                : Task.FromResult(Results.NotFound()));
    }

    private async Task<IResult> ServeAsync(HttpContext context, int index)
    {
        var bytes = Files[index];
        var key = $"{index}";
        if (_downloads.AddOrUpdate(key, 1, (_, n) => n + 1) == 1)
        {
            // First download: half the body under a full Content-Length, then the response ends (Kestrel closes the
            // connection after the flushed bytes), so the client sees a premature end and must resume.
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await context.Response.Body.FlushAsync();
            return Results.Empty;
        }

        if (context.Request.Headers.Range.Count > 0)
        {
            Interlocked.Increment(ref _rangeRequests);
        }

        return Results.Bytes(bytes, "application/octet-stream", enableRangeProcessing: true);
    }
}
