using Gme.Cli.Hosting;

namespace Gme.Cli.Commands;

/// <summary>Runs a command body and turns failures into one clear line on standard error and an exit code (<see cref="CliOutcome"/>).</summary>
internal static class CliAction
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception ex) when (CliOutcome.FromException(ex) is { } outcome)
        {
            await Console.Error.WriteLineAsync(outcome.ErrorLine);
            return outcome.ExitCode;
        }
    }
}
