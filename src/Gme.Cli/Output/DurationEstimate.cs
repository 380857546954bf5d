using System.Globalization;
using System.Text.Json;
using Gme.Core.Runs;
using Gme.Core.Storage;

namespace Gme.Cli.Output;

/// <summary>A run's measured pace on this machine: products through the whole pipeline per second, and with what.</summary>
internal sealed record ThroughputRecord(string Provider, double ProductsPerSecond, int Products, int Cores, DateTimeOffset MeasuredAt);

/// <summary>
/// How long a run should take with the chosen provider, shown before it starts and while it runs. The local model's
/// pace is the last completed local run's, recorded in the data dir (<c>reports/throughput.json</c>); before any, a
/// per-core figure measured on the build machine (ResNet18 bound: 20-30 products/s on 2 cores). The Gemini Batch
/// API's turnaround is Google's, hours and at most 24 h per batch, so it is stated, not computed.
/// </summary>
internal static class DurationEstimate
{
    /// <summary>Whole-run products per second per core of the local model before this machine measured its own.</summary>
    public const double DefaultLocalPerCore = 12.5;

    /// <summary>Runs shorter than this say little about the pace (start-up and model loading dominate).</summary>
    public const int MinimumProductsToRecord = 200;

    private const string FileName = "throughput.json";
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static ThroughputRecord? Read(DataPaths paths)
    {
        var path = Path.Combine(paths.Reports, FileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<ThroughputRecord>(File.ReadAllText(path), s_json) : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null; // a damaged record only costs the default figure
        }
    }

    /// <summary>Records a finished run's pace, when it was long enough to be telling.</summary>
    public static async Task RecordAsync(DataPaths paths, string provider, int products, double seconds, DateTimeOffset now)
    {
        if (products < MinimumProductsToRecord || seconds <= 0)
        {
            return;
        }

        var record = new ThroughputRecord(provider, products / seconds, products, Environment.ProcessorCount, now);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(paths.Reports, FileName), JsonSerializer.SerializeToUtf8Bytes(record, s_json));
    }

    /// <summary>Products per second to expect from <paramref name="provider"/>, and where the figure comes from.</summary>
    public static (double PerSecond, string Source) Pace(string provider, ThroughputRecord? recorded, int cores)
    {
        if (recorded is not null && string.Equals(recorded.Provider, provider, StringComparison.OrdinalIgnoreCase) && recorded.ProductsPerSecond > 0)
        {
            return (recorded.ProductsPerSecond, string.Create(CultureInfo.InvariantCulture,
                $"measured on this machine: {recorded.Products:N0} products on {recorded.MeasuredAt:yyyy-MM-dd}"));
        }

        return (DefaultLocalPerCore * Math.Max(1, cores), $"not yet measured here: {DefaultLocalPerCore} products/s per core, {cores} cores");
    }

    /// <summary>The line printed before a run starts; <paramref name="products"/> is null while the count is unknown.</summary>
    public static string Before(string provider, long? products, ThroughputRecord? recorded, int cores)
    {
        if (IsBatch(provider))
        {
            return "Expected duration: hours (the Gemini Batch API returns each batch within 24 h, often sooner); local stages take minutes";
        }

        var (perSecond, source) = Pace(provider, recorded, cores);
        var what = products is { } n
            ? $"about {Format(TimeSpan.FromSeconds(n / perSecond))} for {n:N0} products"
            : $"about {Format(TimeSpan.FromSeconds(100_000 / perSecond))} per 100,000 products";
        return string.Create(CultureInfo.InvariantCulture, $"Expected duration: {what} at {perSecond:F1} products/s ({source})");
    }

    /// <summary>
    /// Time left while running: the products not yet indexed at this run's own pace so far (once it has one), else at
    /// the recorded or default pace. Null when nothing useful can be said yet.
    /// </summary>
    public static string? Remaining(string provider, RunProgressCounts c, TimeSpan elapsed, ThroughputRecord? recorded, int cores)
    {
        var left = Math.Max(0, c.Ingested - c.Indexed - c.Failed);
        if (c.IsFinished || c.Ingested == 0)
        {
            return null;
        }

        if (IsBatch(provider))
        {
            return c.Embedded < c.Ingested - c.Failed ? "eta: waiting on the Batch API (hours)" : "eta: indexing";
        }

        var pace = c.Indexed >= 50 && elapsed.TotalSeconds >= 10
            ? c.Indexed / elapsed.TotalSeconds
            : Pace(provider, recorded, cores).PerSecond;
        return $"eta {Format(TimeSpan.FromSeconds(left / pace))}{(c.IngestDone ? "" : "+")}";
    }

    public static string Format(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:D2} min"
        : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds:D2} s"
        : $"{Math.Ceiling(t.TotalSeconds):F0} s";

    private static bool IsBatch(string provider) => string.Equals(provider, "gemini", StringComparison.OrdinalIgnoreCase);
}
