using Gme.Pipeline.Runs;

namespace Gme.Tests.Runs;

public sealed class ReannounceBackoffTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NoProgress_ReannouncesAfterTheFirstWait_ThenDoublingWaitsUpToTheCap()
    {
        var backoff = new ReannounceBackoff(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60));
        var run = Guid.NewGuid();
        var reannouncedAt = new List<double>();
        for (var s = 0; s <= 300; s++)
        {
            if (backoff.ShouldReannounce(run, (Ingested: 10, Embedded: 4), s_t0.AddSeconds(s)))
            {
                reannouncedAt.Add(s);
            }
        }

        // 15 s, then waits of 30, 60, 60, 60 ... (capped).
        Assert.Equal([15, 45, 105, 165, 225, 285], reannouncedAt);
    }

    [Fact]
    public void Progress_StartsTheWaitsOver()
    {
        var backoff = new ReannounceBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));
        var run = Guid.NewGuid();
        Assert.True(backoff.IsDue(run, s_t0));
        Assert.False(backoff.ShouldReannounce(run, 1, s_t0));
        Assert.False(backoff.IsDue(run, s_t0.AddSeconds(9)));
        Assert.True(backoff.IsDue(run, s_t0.AddSeconds(10)));
        Assert.True(backoff.ShouldReannounce(run, 1, s_t0.AddSeconds(10)));
        Assert.False(backoff.ShouldReannounce(run, 1, s_t0.AddSeconds(29)));

        // The counts moved: a fresh first wait from now, not the doubled one.
        Assert.False(backoff.ShouldReannounce(run, 2, s_t0.AddSeconds(29)));
        Assert.False(backoff.ShouldReannounce(run, 2, s_t0.AddSeconds(38)));
        Assert.True(backoff.ShouldReannounce(run, 2, s_t0.AddSeconds(39)));
    }

    [Fact]
    public void Options_CapBelowTheFirstWait_OrCheckSlowerThanTheStallLimit_AreRefused()
    {
        var options = new RunWatchdogOptions { StallAfter = TimeSpan.FromMinutes(2), ReannounceMaxInterval = TimeSpan.FromMinutes(1) };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(RunWatchdogOptions.ReannounceMaxInterval)));

        options = new RunWatchdogOptions { CheckInterval = TimeSpan.FromMinutes(1), NoConsumerLimit = TimeSpan.FromSeconds(30) };
        results.Clear();
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(RunWatchdogOptions.CheckInterval)));

        results.Clear();
        var defaults = new RunWatchdogOptions();
        Assert.True(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(defaults, new(defaults), results, validateAllProperties: true));
    }
}
