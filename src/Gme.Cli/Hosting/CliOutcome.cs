using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Pipeline.Search;
using Microsoft.Extensions.Options;

namespace Gme.Cli.Hosting;

/// <summary>
/// How a command ends: its exit code and the one line it prints on standard error (none for success). The CLI's
/// whole classification of failures lives here, as functions of the outcome, so that tests (the hostile-input corpus)
/// check exactly what a user would see without starting a process.
/// </summary>
internal sealed record CliOutcome(int ExitCode, string? ErrorLine)
{
    public const int BadInputExitCode = 2;

    /// <summary>A stage gave up: the run stopped.</summary>
    public const int RunFailedExitCode = 1;

    /// <summary>The line and code for an exception out of a command body, or null for one the CLI does not expect (a bug: it keeps its stack trace).</summary>
    public static CliOutcome? FromException(Exception exception) => exception switch
    {
        CliException ex => Error(ex.Message, ex.ExitCode),
        _ when BadInput.Find(exception) is { } bad => Error(bad.Message, BadInputExitCode),
        OperationCanceledException => new(CliInterrupt.ExitCode, "interrupted: nothing finished is lost; run the same command again to resume"),
        OptionsValidationException ex => Error($"invalid configuration: {string.Join("; ", ex.Failures)}", 2),

        // Not the user's input: the model's service stayed unavailable past the query deadline; retrying later may work.
        EmbeddingUnavailableException ex => Error(ex.Message, 1),
        SearchException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or NotSupportedException
            or InvalidOperationException or InvalidDataException or IOException => Error(exception.Message, 2),
        _ => null,
    };

    /// <summary>The line and code for a run the saga stopped in Failed, by the kind it recorded.</summary>
    public static CliOutcome FromFailedRun(RunFailureKind? kind, string? error) => kind == RunFailureKind.BadInput
        ? Error(error ?? "bad input", BadInputExitCode)
        : Error($"run failed: {error?.TrimEnd('.')}. Fix the cause and run the same command again to resume.", RunFailedExitCode);

    private static CliOutcome Error(string message, int code) => new(code, $"error: {message}");
}
