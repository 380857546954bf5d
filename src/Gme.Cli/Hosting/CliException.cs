namespace Gme.Cli.Hosting;

/// <summary>An error the user can fix; printed as one line without a stack trace.</summary>
internal sealed class CliException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
