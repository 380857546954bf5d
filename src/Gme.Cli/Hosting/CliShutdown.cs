namespace Gme.Cli.Hosting;

/// <summary>
/// Set once a command has printed its outcome and is stopping its host on purpose: what the teardown logs after that
/// (consumers cancelled at stop, sends refused by a stopping bus) are consequences of the stop, not news, so they are
/// printed only with --verbose.
/// </summary>
internal sealed class CliShutdown
{
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    public void Begin() => _stopping = true;
}
