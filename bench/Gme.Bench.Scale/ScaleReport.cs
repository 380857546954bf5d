using System.Globalization;
using Gme.Tests.Gemini;

namespace Gme.Bench.Scale;

/// <summary>The benchmark's table: wall time, per-stage products/s, stage overlap, peak RSS and its curve, disk by folder.</summary>
internal static class ScaleReport
{
    private const double MiB = 1024.0 * 1024.0;

    public static void Print(int products, PipelineProcess run, IReadOnlyList<(string Name, long Bytes)> disk, FakeGeminiServer gemini)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"== scale: {products:N0} products, exit {run.ExitCode}{(run.ExitCode == 137 ? " (stopped: figures so far)" : "")}, wall {run.Wall.TotalSeconds:F1} s (process start to exit), {gemini.CreateCalls} batches created"));
        Console.WriteLine("stage       products   first s    last s   products/s (own span)   products/s (from start)");
        var spans = run.Progress.Spans().ToList();
        foreach (var (stage, count, first, last) in spans)
        {
            // A stage whose count moved once (a single batch landing) has no span of its own to divide by.
            var own = last - first >= 2 ? (count / (last - first)).ToString("F1", inv) : "-";
            Console.WriteLine(string.Create(inv, $"{stage,-10} {count,9:N0} {first,9:F1} {last,9:F1} {own,20} {count / Math.Max(last, 0.001),25:F1}"));
        }

        if (spans.Count > 0)
        {
            // 1.0 would mean every stage ran for the whole run at once; the sum of spans over the wall says how many ran together on average.
            var pipeline = spans.Max(s => s.Last) - spans.Min(s => s.First);
            var slowest = spans.Max(s => s.Last - s.First);
            Console.WriteLine(string.Create(inv, $"overlap: pipeline span {pipeline:F1} s = {pipeline / Math.Max(slowest, 0.001):F2}x the slowest stage's span ({slowest:F1} s); stages in flight on average {spans.Sum(s => s.Last - s.First) / Math.Max(pipeline, 0.001):F2}"));
        }

        Console.WriteLine(string.Create(inv, $"peak RSS (VmHWM of gme run): {run.PeakRssBytes / MiB:F0} MiB; highest sampled RssAnon {run.PeakAnonBytes / MiB:F0} MiB, RssFile {run.PeakFileBytes / MiB:F0} MiB"));
        // The memory curve inside one run: the highest RSS seen until a quarter, half, ... of the products were indexed.
        // The progress clock starts with the run inside the process, a second or two after the process did.
        var offset = run.Wall.TotalSeconds - run.Progress.LastSeconds;
        foreach (var share in new[] { 0.25, 0.5, 0.75, 1.0 })
        {
            var target = (int)(products * share);
            if (run.Progress.IndexedBy(target) is { } at)
            {
                var upTo = run.Rss.Where(s => s.At.TotalSeconds <= at + offset).Select(s => s.RssBytes).DefaultIfEmpty(0).Max();
                Console.WriteLine(string.Create(inv, $"  RSS up to {target,9:N0} indexed (at {at:F0} s): {upTo / MiB:F0} MiB"));
            }
        }

        Console.WriteLine("RSS over the run: " + string.Join(", ", Curve(run.Rss).Select(p => string.Create(inv, $"{p.At.TotalSeconds:F0}s {p.RssBytes / MiB:F0}"))) + " (MiB)");
        Console.WriteLine("disk by folder of the data dir:");
        foreach (var (name, bytes) in disk)
        {
            Console.WriteLine(string.Create(inv, $"  {name,-24} {bytes / MiB,10:F1} MiB{(name.TrimEnd('/') == DiskUsage.PhotoFolder ? "  (photo cache, not counted)" : "")}"));
        }

        var total = disk.Sum(d => d.Bytes);
        var photos = disk.Where(d => d.Name.TrimEnd('/') == DiskUsage.PhotoFolder).Sum(d => d.Bytes);
        Console.WriteLine(string.Create(inv, $"  {"total",-24} {total / MiB,10:F1} MiB; without the photo cache {(total - photos) / MiB:F1} MiB"));
        foreach (var line in run.Summary.Where(l => l.StartsWith("Finished", StringComparison.Ordinal) || l.StartsWith("Validation", StringComparison.Ordinal)))
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>About twelve samples spread over the run, always the highest one among them.</summary>
    private static IEnumerable<(TimeSpan At, long RssBytes)> Curve(IReadOnlyList<(TimeSpan At, long RssBytes)> samples)
    {
        if (samples.Count == 0)
        {
            return [];
        }

        var step = Math.Max(1, samples.Count / 12);
        var max = samples.MaxBy(s => s.RssBytes);
        return samples.Where((_, i) => i % step == 0).Append(samples[^1]).Append(max).Distinct().OrderBy(s => s.At);
    }
}
