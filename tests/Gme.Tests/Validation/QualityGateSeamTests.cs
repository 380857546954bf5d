using Gme.Pipeline;
using Gme.Pipeline.Quality;
using Gme.Tests.Gemini;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gme.Tests.Validation;

/// <summary>
/// The quality gate seam (issue 13 item 4): with no eval-based gate registered, the default one measures nothing,
/// says so in its verdict and as a warning, and a gate registered by the host replaces it.
/// </summary>
public sealed class QualityGateSeamTests
{
    [Fact]
    public async Task NoGateConfigured_PassesUnmeasuredAndSaysSo()
    {
        var logs = new CapturingLoggerProvider();
        await using var services = Services(logs, null);
        var verdict = await services.GetRequiredService<IQualityGate>()
            .EvaluateAsync(new QualityGateRequest(Guid.NewGuid(), "products", null), TestContext.Current.CancellationToken);

        Assert.True(verdict.Passed);
        Assert.False(verdict.Measured);
        Assert.Contains("no quality gate is configured", verdict.Summary);
        Assert.Contains(logs.Lines, l => l.Contains("no quality gate is configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RegisteredGate_ReplacesTheDefault()
    {
        var refusing = new RefusingGate();
        await using var services = Services(new CapturingLoggerProvider(), refusing);
        var verdict = await services.GetRequiredService<IQualityGate>()
            .EvaluateAsync(new QualityGateRequest(Guid.NewGuid(), "products__v2", "products__v1"), TestContext.Current.CancellationToken);

        Assert.False(verdict.Passed);
        Assert.Equal("products__v2 vs products__v1", verdict.Summary);
    }

    private static ServiceProvider Services(CapturingLoggerProvider logs, IQualityGate? gate)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs));
        if (gate is not null)
        {
            services.AddSingleton(gate);
        }

        services.AddIndexing(new ConfigurationBuilder().Build());
        return services.BuildServiceProvider();
    }

    private sealed class RefusingGate : IQualityGate
    {
        public Task<QualityVerdict> EvaluateAsync(QualityGateRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new QualityVerdict(false, true, $"{request.Candidate} vs {request.Live}"));
    }
}
