using Gme.Core.Errors;

namespace Gme.Cli.Hosting;

/// <summary>
/// Finds bad input (<see cref="BadInputException"/>) however it reached the CLI: thrown directly, wrapped in an
/// aggregate or another exception, or recorded as a stage fault in the run's error text (a fault crosses the bus as
/// type name and message, not as the exception).
/// </summary>
internal static class BadInput
{
    public const int ExitCode = 2;

    private const string Marker = nameof(BadInputException) + ": ";

    public static BadInputException? Find(Exception exception)
    {
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var e))
        {
            switch (e)
            {
                case BadInputException bad:
                    return bad;
                case AggregateException aggregate:
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        pending.Push(inner);
                    }

                    break;
                default:
                    if (e.InnerException is { } next)
                    {
                        pending.Push(next);
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>The bad-input message in a failed run's error (`ProductsIngested failed: BadInputException: ...`).</summary>
    public static string? FromRunError(string? error)
    {
        var at = error?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        return at < 0 ? null : error![(at + Marker.Length)..].Trim();
    }
}
