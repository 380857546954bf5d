using Gme.Core.Errors;

namespace Gme.Cli.Hosting;

/// <summary>
/// Finds bad input (<see cref="BadInputException"/>) however it reached the CLI: thrown directly, or wrapped in an
/// aggregate or another exception. A run that failed on bad input says so by its recorded failure kind instead.
/// </summary>
internal static class BadInput
{
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
}
