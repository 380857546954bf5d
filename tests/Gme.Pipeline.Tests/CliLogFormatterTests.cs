using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Tests;

/// <summary>What a transient retry looks like on the terminal: one line, a stack trace only with --verbose.</summary>
public sealed class CliLogFormatterTests
{
    [Fact]
    public void RetryWarning_IsOneLineWithoutStackTrace()
    {
        var text = Format(verbose: false);
        var line = Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("warn MassTransit.ReceiveTransport: R-RETRY loopback://localhost/download-images", line);
        Assert.Contains("TimeoutException: database is locked -> IOException: disk busy", line);
        Assert.DoesNotContain(" at ", line);
    }

    [Fact]
    public void RetryWarning_WithVerbose_KeepsTheStackTrace()
    {
        var text = Format(verbose: true);
        Assert.True(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > 2, text);
        Assert.Contains(" at ", text);
        Assert.Contains(nameof(Throw), text);
    }

    [Fact]
    public void TeardownAfterADeliberateStop_IsPrintedOnlyWithVerbose()
    {
        var stopping = new CliShutdown();
        stopping.Begin();

        Assert.Equal("", Format(verbose: false, stopping));
        Assert.Contains("R-RETRY", Format(verbose: true, stopping));
    }

    private static string Format(bool verbose, CliShutdown? shutdown = null)
    {
        Exception thrown;
        try
        {
            Throw();
            throw new InvalidOperationException("unreachable");
        }
        catch (TimeoutException ex)
        {
            thrown = ex;
        }

        var formatter = new CliLogFormatter(new StaticMonitor(new CliLogFormatterOptions { Verbose = verbose }), shutdown ?? new CliShutdown());
        var entry = new LogEntry<string>(LogLevel.Warning, "MassTransit.ReceiveTransport", new EventId(0),
            "R-RETRY loopback://localhost/download-images 0a1b ImagesDownloaded", thrown, (s, _) => s);
        using var writer = new StringWriter();
        formatter.Write(entry, null, writer);
        return writer.ToString();
    }

    private static void Throw() => throw new TimeoutException("database\nis locked", new IOException("disk busy"));

    private sealed class StaticMonitor(CliLogFormatterOptions value) : IOptionsMonitor<CliLogFormatterOptions>
    {
        public CliLogFormatterOptions CurrentValue => value;

        public CliLogFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<CliLogFormatterOptions, string?> listener) => null;
    }
}
