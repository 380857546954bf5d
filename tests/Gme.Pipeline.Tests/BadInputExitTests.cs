using Gme.Cli.Hosting;
using Gme.Core.Errors;

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
    public void FromRunError_ReadsTheStageFaultText()
    {
        Assert.Equal("catalogue.csv row 12: not UTF-8", BadInput.FromRunError("RunStarted failed: BadInputException: catalogue.csv row 12: not UTF-8"));
        Assert.Null(BadInput.FromRunError("RunStarted failed: IOException: disk full"));
        Assert.Null(BadInput.FromRunError(null));
    }
}
