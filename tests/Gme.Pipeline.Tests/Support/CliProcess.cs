using System.Diagnostics;
using System.Text;

namespace Gme.Pipeline.Tests.Support;

/// <summary>Runs the real `gme` CLI as a child process, the way a user does.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private CliProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }
    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    /// <summary>Small shards make more, finer-grained points at which a crash can land.</summary>
    public static Dictionary<string, string> Environment { get; } = new() { ["Gme__Embedder__ShardMaxItems"] = "16" };

    public static CliProcess Start(params string[] args) => StartWith(new Dictionary<string, string>(), args);

    /// <summary>
    /// Like <see cref="Start"/>, with Ctrl-C (SIGINT) handled as at a terminal even when the test runner was started with
    /// it ignored (a background job of a script, nohup): an ignored SIGINT is inherited, and .NET rightly keeps ignoring it.
    /// </summary>
    public static CliProcess StartAsAtTerminal(params string[] args) => StartWith(new Dictionary<string, string>(), args, defaultSigint: true);

    /// <summary>Like <see cref="Start"/>, with extra environment variables for this process only.</summary>
    public static CliProcess StartWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        StartWith(environment, args, defaultSigint: false);

    private static CliProcess StartWith(IReadOnlyDictionary<string, string> environment, string[] args, bool defaultSigint)
    {
        // coreutils' env resets the signal to its default and execs dotnet in the same process (same pid).
        var info = new ProcessStartInfo(defaultSigint ? "env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (defaultSigint)
        {
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(RepoPaths.CliDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in Environment.Concat(environment))
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (cli._stdout) { cli._stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (cli._stderr) { cli._stderr.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs to the end and returns exit code and output; fails the test if it takes longer than the limit.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan limit, params string[] args)
    {
        using var cli = Start(args);
        var code = await cli.WaitAsync(limit);
        return (code, cli.Stdout, cli.Stderr);
    }

    /// <summary>Like <see cref="RunAsync"/>, with extra environment variables for this process only.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunWithAsync(
        IReadOnlyDictionary<string, string> environment, TimeSpan limit, params string[] args)
    {
        using var cli = StartWith(environment, args);
        var code = await cli.WaitAsync(limit);
        return (code, cli.Stdout, cli.Stderr);
    }

    public async Task<int> WaitAsync(TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"gme did not finish within {limit}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
