using Microsoft.Extensions.Hosting;

namespace Gme.Cli.Hosting;

/// <summary>
/// A host lifetime that listens to no signal: <see cref="CliInterrupt"/> owns Ctrl-C and SIGTERM for the process,
/// so the console lifetime's own handler (which swallows the signal and only stops the host) cannot hide them.
/// </summary>
internal sealed class CliLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
