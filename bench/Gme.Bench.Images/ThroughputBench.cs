using System.Diagnostics;
using System.Globalization;
using System.Net;
using Gme.Core.Images;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Bench.Images;

/// <summary>
/// Download throughput through the production fetcher (SSRF guard, limiter, retries, normalise, store) against a
/// loopback Kestrel server that waits <c>latencyMs</c> before each answer. The bound is concurrency / latency
/// (32 / 0.05 s = 640 images/s). A raw HttpClient loop at the same concurrency, measured in the same run, is the
/// baseline for what the machine and server allow at all.
/// </summary>
internal static class ThroughputBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var images = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3200;
        var latencyMs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
        var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32;

        // Small photos by default so that the figure measures the download path (limiter, guard, connections,
        // retries) rather than JPEG decoding, whose cost per core the cpu benchmark reports on real photos.
        var side = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 64;
        var bound = concurrency * 1000.0 / latencyMs;

        var photos = Enumerable.Range(0, 16).Select(seed => Photo(seed, side)).ToArray();
        await using var app = await StartServerAsync(photos, latencyMs);
        var baseAddress = new Uri(app.Urls.First() + "/");

        // Baseline: plain HttpClient, same concurrency, body read and dropped.
        using (var raw = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }))
        {
            await RawAsync(raw, baseAddress, concurrency * 2, concurrency); // warm-up
            var rawRate = await RawAsync(raw, baseAddress, images, concurrency);
            Console.WriteLine($"raw HttpClient          : {rawRate,8:F1} images/s  ratio to bound {rawRate / bound:F3}");
        }

        var data = BenchServices.TempDirectory();
        try
        {
            await using var provider = BenchServices.Build(data, o =>
            {
                o.MaxConcurrency = concurrency;
                o.MaxConcurrencyPerHost = concurrency;
                o.AllowedPrivateNetworks = ["127.0.0.1/32"];
            });
            var fetcher = provider.GetRequiredService<IImageFetcher>();
            await FetchAsync(fetcher, baseAddress, concurrency * 2); // warm-up: connections, JIT
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var failures = await FetchAsync(fetcher, baseAddress, images);
            var seconds = watch.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var rate = images / seconds;
            Console.WriteLine($"gme fetcher             : {rate,8:F1} images/s  ratio to bound {rate / bound:F3}  ({images} images, {failures} failed, {seconds:F1} s, {cpuSeconds:F1} CPU s incl. server)");
            Console.WriteLine($"bound                   : {bound,8:F1} images/s  (concurrency {concurrency}, latency {latencyMs} ms, photos {side}x{side * 3 / 2}, {photos.Average(p => p.Length) / 1024:F1} KiB)");
            return failures == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<int> FetchAsync(IImageFetcher fetcher, Uri baseAddress, int count)
    {
        var failures = 0;

        // More callers than permits: the fetcher's process-wide limiter is what holds concurrency at the setting.
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 256 }, async (i, ct) =>
        {
            var result = await fetcher.FetchAsync(new Uri(baseAddress, $"img/{i}.jpg").AbsoluteUri, ct);
            if (!result.Succeeded)
            {
                Interlocked.Increment(ref failures);
            }
        });
        return failures;
    }

    private static async Task<double> RawAsync(HttpClient client, Uri baseAddress, int count, int concurrency)
    {
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            using var response = await client.GetAsync(new Uri(baseAddress, $"img/{i}.jpg"), ct);
            _ = await response.Content.ReadAsByteArrayAsync(ct);
        });
        return count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<WebApplication> StartServerAsync(byte[][] photos, int latencyMs)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/img/{i:int}.jpg", async (int i, CancellationToken ct) =>
        {
            await Task.Delay(latencyMs, ct);
            return Results.Bytes(photos[i % photos.Length], "image/jpeg");
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>A textured JPEG, <paramref name="side"/> wide and 1.5 times as high.</summary>
    private static byte[] Photo(int seed, int side)
    {
        using var image = new Image<Rgb24>(side, side * 3 / 2);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    row[x] = new Rgb24((byte)((x * 3) + seed), (byte)((y * 2) ^ seed), (byte)(x * y % 251));
                }
            }
        });
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        return stream.ToArray();
    }
}
