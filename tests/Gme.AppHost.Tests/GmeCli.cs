using System.Diagnostics;

namespace Gme.AppHost.Tests;

/// <summary>
/// Runs the real `gme` CLI (src/Gme.Cli, built beside the AppHost: the test project references it for the build
/// order only) as a child process, the way a user runs it against the app's endpoints.
/// </summary>
internal static class GmeCli
{
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(2);

    /// <summary>gme.dll of the same configuration as the tests, beside the AppHost project (its folder).</summary>
    public static string Dll { get; } = Path.GetFullPath(Path.Combine(
        Projects.Gme_AppHost.ProjectPath, "..", "Gme.Cli", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug",
        "net10.0", "gme.dll"));

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return ChildProcess.RunAsync(start, s_limit, cancellationToken);
    }
}
