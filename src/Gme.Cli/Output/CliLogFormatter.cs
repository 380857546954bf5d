using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Gme.Cli.Hosting;

namespace Gme.Cli.Output;

/// <summary>Whether <see cref="CliLogFormatter"/> writes exceptions whole (stack traces) or as one line.</summary>
internal sealed class CliLogFormatterOptions : ConsoleFormatterOptions
{
    public bool Verbose { get; set; }
}

/// <summary>
/// Every log entry on one line (`HH:mm:ss warn Category: message`). An exception is summarised on that line (type
/// and message, inner exceptions joined) unless --verbose asks for the stack trace, so a transient MassTransit
/// `R-RETRY` warning is one line on a terminal instead of forty; errors are kept, summarised the same way. Once the
/// command is stopping its host on purpose (<see cref="CliShutdown"/>), the teardown's logs need --verbose.
/// </summary>
internal sealed class CliLogFormatter(IOptionsMonitor<CliLogFormatterOptions> options, CliShutdown shutdown) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "gme";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var verbose = options.CurrentValue.Verbose;
        if (!verbose && shutdown.Stopping)
        {
            return;
        }

        textWriter.Write(TimeProvider.System.GetLocalNow().ToString("HH:mm:ss ", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(' ');
        textWriter.Write(logEntry.Category);
        textWriter.Write(": ");
        textWriter.Write(OneLine(message ?? ""));
        if (logEntry.Exception is { } exception)
        {
            if (verbose)
            {
                textWriter.WriteLine();
                textWriter.Write(exception.ToString());
            }
            else
            {
                textWriter.Write(" (");
                textWriter.Write(Summary(exception));
                textWriter.Write(')');
            }
        }

        textWriter.WriteLine();
    }

    /// <summary>`Type: message` for the exception and each inner one, on one line.</summary>
    internal static string Summary(Exception exception)
    {
        var parts = new List<string>();
        for (Exception? e = exception; e is not null && parts.Count < 4; e = e.InnerException)
        {
            parts.Add($"{e.GetType().Name}: {OneLine(e.Message)}");
        }

        return string.Join(" -> ", parts);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
