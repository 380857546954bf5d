using Gme.Pipeline.Runs.Stalls;

namespace Gme.Tests.Runs;

public sealed class StallDetectorTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void QueueWithWorkAndNoConsumer_StallsOnlyOnceTheLimitHasPassed_NamingItsService()
    {
        var detector = new StallDetector();
        QueueState[] dead = [new("submit-shard", 12, 0), new("upsert-vectors", 0, 1)];

        Assert.Empty(detector.Observe(dead, s_t0, s_limit));
        Assert.Empty(detector.Observe(dead, s_t0 + s_limit - TimeSpan.FromSeconds(1), s_limit));
        var stall = Assert.Single(detector.Observe(dead, s_t0 + s_limit, s_limit));

        Assert.Equal(("submit-shard", ResourceNamesForTests.Embedder, 12u), (stall.Queue, stall.Service, stall.Messages));
        Assert.Contains("gme-embedder", stall.Describe(), StringComparison.Ordinal);
        Assert.Same(detector.Current, detector.Current);
        Assert.Single(detector.Current);
    }

    [Fact]
    public void ConsumerBack_ClearsTheStallAtOnce_AndTheLimitStartsOver()
    {
        var detector = new StallDetector();
        QueueState[] dead = [new("upsert-vectors", 3, 0)];
        detector.Observe(dead, s_t0, s_limit);
        Assert.Single(detector.Observe(dead, s_t0 + s_limit, s_limit));

        Assert.Empty(detector.Observe([new("upsert-vectors", 3, 1)], s_t0 + s_limit + TimeSpan.FromSeconds(1), s_limit));
        Assert.Empty(detector.Current);
        Assert.Empty(detector.Observe(dead, s_t0 + (2 * s_limit), s_limit));
        Assert.Equal(ResourceNamesForTests.Indexer, Assert.Single(detector.Observe(dead, s_t0 + (3 * s_limit), s_limit)).Service);
    }

    [Fact]
    public void EmptyQueueWithoutConsumer_OrUnknownQueue_IsNoStall()
    {
        var detector = new StallDetector();
        QueueState[] states = [new("build-shards", 0, 0), new("some-other-queue", 50, 0)];
        detector.Observe(states, s_t0, s_limit);
        Assert.Empty(detector.Observe(states, s_t0 + (10 * s_limit), s_limit));
    }

    [Fact]
    public void StageQueues_AreTheQueuesTheStageConsumersListenOn()
    {
        // The names the watchdog probes must be the endpoints the kebab-case formatter gives the consumers.
        var queues = StageQueues.All.ToDictionary(q => q.Queue, q => q.Service);
        Assert.Equal(ResourceNamesForTests.Embedder, queues["build-shards"]);
        Assert.Equal(ResourceNamesForTests.Embedder, queues["submit-shard"]);
        Assert.Equal(ResourceNamesForTests.Embedder, queues["collect-shard"]);
        Assert.Equal(ResourceNamesForTests.Indexer, queues["upsert-vectors"]);
        Assert.Equal(ResourceNamesForTests.Indexer, queues["validate-run"]);
    }

    /// <summary>The AppHost's resource names, spelled out: the test would catch a rename that breaks the stall text.</summary>
    private static class ResourceNamesForTests
    {
        public const string Embedder = "gme-embedder";
        public const string Indexer = "gme-indexer";
    }
}
