using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Gme.Tests.Runs;

/// <summary>
/// The services' tracing setup (ServiceDefaults) exports no trace that a poller's database call starts on its own,
/// nor anything under one, and keeps the same call inside a real operation. Alone: other tests' listeners that record
/// every activity would decide what this one sees.
/// </summary>
[Collection(QuietBackgroundRootsCollection.Name)]
public sealed class QuietBackgroundRootsTests
{
    private static readonly ActivitySource s_db = new("Npgsql");
    private static readonly ActivitySource s_gme = new("Gme.Tests.Quiet");

    [Fact]
    public void ServiceDefaultsTracing_PollerQueryAlone_IsNotExported_ButTheSameQueryInAnOperationIs()
    {
        var exported = new ConcurrentQueue<Activity>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.ConfigureOpenTelemetry();
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddProcessor(new Collect(exported)));
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<TracerProvider>();

        // A poller's tick: a query with nothing around it, and whatever runs under it.
        ActivityTraceId pollTrace;
        using (var poll = s_db.StartActivity("SELECT outbox", ActivityKind.Client))
        {
            Assert.NotNull(poll);
            pollTrace = poll.TraceId;
            Assert.False(poll.Recorded);
            using var under = s_gme.StartActivity("under the poll");
            Assert.False(under?.Recorded ?? false);
        }

        Assert.DoesNotContain(exported, a => a.TraceId == pollTrace);

        // The same query inside an operation (a message, a run's re-announcement) is part of its trace.
        ActivityTraceId traceOf;
        using (var operation = s_gme.StartActivity("collect shard"))
        {
            Assert.NotNull(operation);
            traceOf = operation.TraceId;
            using var query = s_db.StartActivity("SELECT shard", ActivityKind.Client);
            Assert.True(query?.Recorded);
        }

        // Other tests in this process trace too: only this test's activities are looked at.
        string[] mine = ["SELECT outbox", "under the poll", "SELECT shard", "collect shard"];
        Assert.Equal(["SELECT shard", "collect shard"], exported.Where(a => mine.Contains(a.DisplayName) && a.TraceId == traceOf).Select(a => a.DisplayName));
    }

    private sealed class Collect(ConcurrentQueue<Activity> into) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => into.Enqueue(data);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuietBackgroundRootsCollection
{
    public const string Name = "Tracing setup, alone";
}
