using Gme.Cli.Hosting;
using Gme.Core.Embeddings;
using Gme.Pipeline.Search;
using Microsoft.Extensions.Options;

namespace Gme.Cli.Commands;

/// <summary>Runs a command body and turns failures into one clear line on standard error and an exit code.</summary>
internal static class CliAction
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (CliException ex)
        {
            return Fail(ex.Message, ex.ExitCode);
        }
        catch (Exception ex) when (BadInput.Find(ex) is { } bad)
        {
            return Fail(bad.Message, BadInput.ExitCode);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("interrupted: nothing finished is lost; run the same command again to resume");
            return CliInterrupt.ExitCode;
        }
        catch (OptionsValidationException ex)
        {
            return Fail($"invalid configuration: {string.Join("; ", ex.Failures)}", 2);
        }
        catch (EmbeddingUnavailableException ex)
        {
            // Not the user's input: the model's service stayed unavailable past the query deadline; retrying later may work.
            return Fail(ex.Message, 1);
        }
        catch (Exception ex) when (ex is SearchException or FileNotFoundException or DirectoryNotFoundException
            or ArgumentException or NotSupportedException or InvalidOperationException or InvalidDataException or IOException)
        {
            return Fail(ex.Message, 2);
        }
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
