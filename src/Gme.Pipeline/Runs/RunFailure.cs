using Gme.Core.Errors;
using Gme.Core.Ledger;
using MassTransit;

namespace Gme.Pipeline.Runs;

/// <summary>
/// Classifies, once, the fault that stops a run: the run saga records the kind next to the error text, and the CLI
/// and status read the kind. A fault crosses the bus as type names and messages, not as the exception, so bad input
/// is recognised by its type name anywhere in the fault's exception chain.
/// </summary>
public static class RunFailure
{
    private static readonly string s_badInput = typeof(BadInputException).FullName!;

    /// <summary>
    /// The run's error and failure kind for a fault of <paramref name="messageType"/>: bad input keeps its own message,
    /// which names the input and the reason, as the whole error; anything else says which stage gave up and why.
    /// </summary>
    public static (string Error, RunFailureKind Kind) FromFault(string messageType, ExceptionInfo? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e.ExceptionType == s_badInput)
            {
                return (e.Message, RunFailureKind.BadInput);
            }
        }

        var error = exception is null ? "unknown error" : $"{exception.ExceptionType.Split('.').Last()}: {exception.Message}";
        return ($"{messageType} failed: {error}", RunFailureKind.StageGaveUp);
    }
}
