using System.Diagnostics;
using System.Globalization;
using Gme.Core.Sources;
using Gme.Sources;
using Gme.Testing;

namespace Gme.Bench.Images;

/// <summary>
/// Peak memory while streaming a 105,000-row H&amp;M-shaped Parquet file (with 512-float dense embeddings and sparse
/// columns, as the Hub export has) through the same reader the HuggingFace source uses, mapping every row to a
/// product. Generation is a separate invocation so that the reading process's peak is its own.
/// </summary>
internal static class ParquetBench
{
    public static async Task<int> GenerateAsync(string[] args)
    {
        var path = args[0];
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 105_000;
        const int Batch = 5_000;
        var data = Enumerable.Range(0, rows).Select(i => HmParquetGenerator.Garment(
            i, "with a relaxed fit, ribbed cuffs and a straight hem.", Embedding(i), [i % 1000, 7, 42], [0.5f, 0.25f, 0.125f]));
        await using var stream = File.Create(path);
        await HmParquetGenerator.WriteAsync(data, stream, Batch);
        Console.WriteLine($"wrote {rows} rows to {path} ({new FileInfo(path).Length / 1048576.0:F1} MiB)");
        return 0;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var path = args[0];
        var mapper = new ProductMapper(null, null);
        var watch = Stopwatch.StartNew();
        long rows = 0;
        long accepted = 0;
        long peakManaged = 0;
        await foreach (var row in new ParquetDatasetSource(path).ReadRowsAsync())
        {
            rows++;
            if (mapper.Map(row).Product is not null)
            {
                accepted++;
            }

            if (rows % 1000 == 0)
            {
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(forceFullCollection: false));
            }
        }

        var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"rows {rows}, accepted {accepted}, {watch.Elapsed.TotalSeconds:F1} s ({rows / watch.Elapsed.TotalSeconds:F0} rows/s)");
        Console.WriteLine($"peak working set {process.PeakWorkingSet64 / 1048576.0:F0} MiB, peak managed heap {peakManaged / 1048576.0:F0} MiB (file {new FileInfo(path).Length / 1048576.0:F0} MiB)");
        return 0;
    }

    /// <summary>Incompressible like real embeddings, so the file has the real export's size (about 2 KB a row).</summary>
    private static float[] Embedding(int row)
    {
        var random = new Random(row);
        var values = new float[512];
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = random.NextSingle() - 0.5f;
        }

        return values;
    }
}
