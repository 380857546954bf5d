using System.Diagnostics;

namespace Gme.AppHost.Tests;

/// <summary>
/// Runs a child process to its end with both streams captured, as the tests that start the AppHost (manifest publish,
/// clean-start checks) or the `gme` CLI need: past the time limit the process tree is killed and the test fails with
/// what was running, rather than hanging.
/// </summary>
internal static class ChildProcess
{
    /// <summary>The AppHost as `dotnet run` starts it, already built and without a launch profile, with these arguments.</summary>
    public static ProcessStartInfo AppHost(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "run", "--project", Projects.Gme_AppHost.ProjectPath, "--no-build", "--no-launch-profile", "--" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {limit.TotalMinutes:0} min");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
