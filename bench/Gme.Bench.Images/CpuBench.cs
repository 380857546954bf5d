using System.Diagnostics;
using Gme.Core.Images;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Bench.Images;

/// <summary>
/// CPU cost of validate + normalise + store per image, on one thread over a folder of real product photos (read into
/// memory first, so disk reads are not counted; the cache write is). Reported as images per CPU-second, i.e. images/s
/// per core, next to img2dataset's published ~80-85 images/s per core.
/// </summary>
internal static class CpuBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var folder = args.Length > 0 ? args[0] : "/work/shared/datasets/hm-sample/images";
        if (!Directory.Exists(folder))
        {
            Console.Error.WriteLine($"image folder not found: {folder}");
            return 2;
        }

        var files = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).ToList();
        var photos = new List<byte[]>(files.Count);
        foreach (var file in files)
        {
            photos.Add(await File.ReadAllBytesAsync(file));
        }

        var data = BenchServices.TempDirectory();
        try
        {
            await using var provider = BenchServices.Build(data);
            var normalizer = provider.GetRequiredService<Gme.Images.ImageNormalizer>();
            var cache = provider.GetRequiredService<IImageCache>();

            // Warm-up (JIT, decoder tables) on a few images, not counted.
            foreach (var photo in photos.Take(20))
            {
                _ = normalizer.Normalize(photo);
            }

            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var stored = 0;
            long inputBytes = 0;
            foreach (var photo in photos)
            {
                inputBytes += photo.Length;
                var normalized = normalizer.Normalize(photo);
                if (normalized.Bytes is { } jpeg)
                {
                    await cache.StoreAsync(jpeg);
                    stored++;
                }
            }

            var wall = watch.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            Console.WriteLine($"images {photos.Count} ({inputBytes / 1048576.0:F1} MiB), stored {stored}, wall {wall:F2} s, CPU {cpu:F2} s");
            Console.WriteLine($"validate+normalise+store: {photos.Count / cpu:F1} images per CPU-second (images/s per core); {photos.Count / wall:F1} images/s wall on one thread");
            Console.WriteLine($"img2dataset reference   : ~80-85 images/s per core -> ratio {photos.Count / cpu / 82.5:F2}");
            return 0;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
