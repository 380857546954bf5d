using System.Diagnostics;
using Gme.Tests.Gemini;

namespace Gme.Bench.Scale;

/// <summary>One `gme run` child process: its output echoed and traced, its memory sampled until it exits.</summary>
internal sealed record PipelineProcess(int ExitCode, TimeSpan Wall, long PeakRssBytes, long PeakAnonBytes, long PeakFileBytes, IReadOnlyList<(TimeSpan At, long RssBytes)> Rss,
    ProgressTrace Progress, IReadOnlyList<string> Summary)
{
    /// <summary>The Gemini provider at its defaults (1536-d, 2,000-line shards) against the fake, which answers at once.</summary>
    public static Dictionary<string, string> GeminiSettings(FakeGeminiServer gemini, string apiKey) => new()
    {
        ["Gme__Provider"] = "gemini",
        ["Gme__Gemini__ApiKey"] = apiKey,
        ["Gme__Gemini__BaseUrl"] = gemini.BaseAddress.ToString(),
        ["Gme__Gemini__MaxRequestsPerSecond"] = "500",
        ["Gme__Gemini__MaxEnqueuedTokens"] = "100000000",
        ["Gme__Embedder__PollInterval"] = "00:00:01",
        ["Gme__Images__AllowedPrivateNetworks__0"] = "127.0.0.1/32",
    };

    public static async Task<PipelineProcess> RunAsync(string cliDll, IReadOnlyDictionary<string, string> environment, string[] args, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(cliDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var progress = new ProgressTrace();
        var summary = new List<string>();
        using var process = new Process { StartInfo = info };
        void Echo(string? line, bool error)
        {
            if (line is null)
            {
                return;
            }

            lock (summary)
            {
                (error ? Console.Error : Console.Out).WriteLine(line);
                if (!progress.Observe(line))
                {
                    summary.Add(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Echo(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => Echo(e.Data, error: true);
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sampler = new MemorySampler();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampling = sampler.RunAsync(process.Id, clock, stop.Token);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // Stopped by Ctrl-C or SIGTERM: the child goes too, and what was measured so far is still reported.
            process.Kill(entireProcessTree: true);
        }
        finally
        {
            await stop.CancelAsync();
            await sampling;
        }

        process.WaitForExit(); // drains the output readers
        return new PipelineProcess(process.ExitCode, clock.Elapsed, sampler.PeakBytes, sampler.PeakAnonBytes, sampler.PeakFileBytes, sampler.Samples, progress, summary);
    }
}
