using Gme.Cli.Hosting;
using Gme.Core.Errors;
using Gme.Core.Ledger;
using Gme.Pipeline.Runs;
using MassTransit.Events;

namespace Gme.Pipeline.Tests;

/// <summary>Bad input ends `gme run` with exit 2 however it reached the CLI.</summary>
public sealed class BadInputExitTests
{
    [Fact]
    public void Find_SeesBadInputInsideAggregatesAndWrappers()
    {
        var bad = new BadInputException("catalogue.csv", "not UTF-8", row: 12);
        var wrapped = new AggregateException(new TimeoutException("other"), new InvalidOperationException("consumer failed", bad));

        Assert.Same(bad, BadInput.Find(wrapped));
        Assert.Null(BadInput.Find(new AggregateException(new TimeoutException("other"))));
    }

    [Fact]
    public void FailedRun_ExitCodeAndLineFollowTheKindTheSagaRecorded()
    {
        var bad = new BadInputException("/data/catalogue.csv", "not UTF-8", row: 12);
        var (error, kind) = RunFailure.FromFault("RunStarted", new FaultExceptionInfo(new InvalidOperationException("consumer failed", bad)));

        Assert.Equal(RunFailureKind.BadInput, kind);
        Assert.Equal(new CliOutcome(2, "error: /data/catalogue.csv row 12: not UTF-8"), CliOutcome.FromFailedRun(kind, error));

        var (other, otherKind) = RunFailure.FromFault("RunStarted", new FaultExceptionInfo(new IOException("disk full")));
        Assert.Equal(RunFailureKind.StageGaveUp, otherKind);
        Assert.Equal("RunStarted failed: IOException: disk full", other);
        Assert.Equal(1, CliOutcome.FromFailedRun(otherKind, other).ExitCode);

        // The kind decides, not the text: an error that merely mentions bad input is not bad input.
        Assert.Equal(1, CliOutcome.FromFailedRun(RunFailureKind.StageGaveUp, "RunStarted failed: BadInputException: looks like one").ExitCode);
    }
}
