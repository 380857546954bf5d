using System.Runtime.InteropServices;

namespace Gme.Cli.Hosting;

/// <summary>
/// Ctrl-C and SIGTERM for the whole process: the first cancels <see cref="Token"/> (the command stops its host and
/// exits 130); the second exits 130 at once, for a shutdown that is taking too long.
/// </summary>
internal sealed class CliInterrupt : IDisposable
{
    public const int ExitCode = 130;

    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private int _signals;

    public CliInterrupt()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _cts.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _cts.Cancel();
            return;
        }

        Console.Error.WriteLine("interrupted again: exiting now");
        Environment.Exit(ExitCode);
    }

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _cts.Dispose();
    }
}
