using System.Globalization;

namespace Gme.Bench.Scale;

/// <summary>
/// Reads a process's resident memory from /proc/PID/status every <see cref="Interval"/>: VmHWM (the kernel's peak
/// resident set, which catches spikes between samples) and VmRSS (now), so the peak is the pipeline's alone; and the
/// highest RssAnon (heaps, stacks) and RssFile (mapped files: assemblies, the index's float rows) seen in a sample.
/// </summary>
internal sealed class MemorySampler
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly List<(TimeSpan At, long RssBytes)> _samples = [];

    public long PeakBytes { get; private set; }

    public long PeakAnonBytes { get; private set; }

    public long PeakFileBytes { get; private set; }

    public IReadOnlyList<(TimeSpan At, long RssBytes)> Samples => _samples;

    public async Task RunAsync(int pid, System.Diagnostics.Stopwatch clock, CancellationToken ct)
    {
        var status = $"/proc/{pid}/status";
        while (!ct.IsCancellationRequested)
        {
            try
            {
                long hwm = 0, rss = 0, anon = 0, file = 0;
                foreach (var line in await File.ReadAllLinesAsync(status, ct))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        hwm = Kilobytes(line);
                    }
                    else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        rss = Kilobytes(line);
                    }
                    else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                    {
                        anon = Kilobytes(line);
                    }
                    else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                    {
                        file = Kilobytes(line);
                    }
                }

                PeakBytes = Math.Max(PeakBytes, hwm * 1024);
                PeakAnonBytes = Math.Max(PeakAnonBytes, anon * 1024);
                PeakFileBytes = Math.Max(PeakFileBytes, file * 1024);
                _samples.Add((clock.Elapsed, rss * 1024));
                await Task.Delay(Interval, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (IOException)
            {
                return; // the process has exited
            }
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
