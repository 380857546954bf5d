using System.Collections.Concurrent;
using System.Diagnostics;
using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gme.Tests.Messaging;

/// <summary>
/// One batch of products is one trace across the three services: each ingest chunk starts a trace (linked to the
/// run's), and the stage-complete messages carry it through download, shard build, submit, collect and upsert,
/// including messages sent later through the outbox or by the collect poller.
/// </summary>
public sealed class TracePropagationTests
{
    private const int Products = 150;

    [Fact]
    public async Task SampleRun_EachChunkIsOneTraceThroughAllThreeServices()
    {
        var ct = TestContext.Current.CancellationToken;
        using var spans = new SpanCollector();
        using var dir = new TempDirectory();
        using var host = BuildHost(dir.Path);
        await host.StartAsync(ct);
        Guid runId;
        HashSet<string> shards, files;
        try
        {
            var spec = new SourceSpec { Kind = "sample", SampleProducts = Products };
            (runId, _) = await host.Services.GetRequiredService<RunStarter>().StartOrResumeAsync(spec, "sample", ct);
            await host.Services.GetRequiredService<IBus>().Publish(new RunStarted { RunId = runId }, ct);

            var dbFactory = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
            await Eventually.TrueAsync(async () =>
            {
                await using var db = dbFactory.CreateDbContext();
                return await db.Products.CountAsync(p => p.Stage == ProductStage.Indexed, ct) == Products;
            }, "every product indexed", TimeSpan.FromMinutes(4), ct);
            await using var ledger = dbFactory.CreateDbContext();
            shards = [.. await ledger.Shards.Where(s => s.RunId == runId).Select(s => s.Id).ToListAsync(ct)];
            files = [.. await ledger.VectorFiles.Where(f => f.RunId == runId).Select(f => f.Id).ToListAsync(ct)];
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        // This run's spans only (other tests may run alongside): the run's ingest span, and the chunk traces it links.
        var ingest = Assert.Single(spans.All, s => s.Name == "ingest dataset" && s.Tag("gme.run.id") == runId.ToString());
        var chunks = spans.All.Where(s => s.Name == "ingest chunk" && s.Tag("gme.run.id") == runId.ToString()).ToList();
        Assert.Equal(3, chunks.Count);
        Assert.All(chunks, c =>
        {
            Assert.NotEqual(ingest.TraceId, c.TraceId);
            Assert.Contains(ingest.SpanId, c.LinkedSpans);
        });
        Assert.Equal(chunks.Count, chunks.Select(c => c.TraceId).Distinct().Count());

        var chunkTraces = chunks.Select(c => c.TraceId).ToHashSet();
        foreach (var chunk in chunks)
        {
            Assert.Contains(spans.All, s => s.TraceId == chunk.TraceId && s.Source == "Gme.Ingest" && s.Name == "download images");
        }

        // A shard is cut from whatever products are ready, so it belongs to the chunk whose message cut it: its whole
        // life (build, submit, collect in the Embedder, upsert in the Indexer) is in that one chunk's trace.
        Assert.NotEmpty(shards);
        foreach (var shard in shards)
        {
            var life = spans.All.Where(s => (s.Tag("gme.shard.id") == shard && s.Name is "build shard" or "submit shard" or "collect shard")
                || (s.Tag("gme.vector_file.id") == shard && s.Name == "upsert vectors")).ToList();
            Assert.Equal(["build shard", "collect shard", "submit shard", "upsert vectors"], life.Select(s => s.Name).Distinct().Order());
            var trace = Assert.Single(life.Select(s => s.TraceId).Distinct());
            Assert.Contains(trace, chunkTraces);
            Assert.Contains(spans.All, s => s.TraceId == trace && s.Source == "MassTransit");
        }

        // Nothing of this run's batch work escaped into a trace of its own.
        var outside = spans.All.Where(s => !chunkTraces.Contains(s.TraceId) && (
                (s.Name == "download images" && s.Tag("gme.run.id") == runId.ToString())
                || (s.Name is "build shard" or "submit shard" or "collect shard" && s.Tag("gme.shard.id") is { } shard && shards.Contains(shard))
                || (s.Name == "upsert vectors" && s.Tag("gme.vector_file.id") is { } file && files.Contains(file))))
            .Select(s => $"{s.Source} '{s.Name}'")
            .ToList();
        Assert.Empty(outside);
    }

    private static IHost BuildHost(string data) => EmbeddedPipelineHost.Build(data, new Dictionary<string, string?>
    {
        ["Gme:ChunkSize"] = "50",
        ["Gme:Embedder:ShardMaxItems"] = "50",
    });

    private sealed record Span(string Source, string Name, ActivityTraceId TraceId, ActivitySpanId SpanId,
        IReadOnlyList<ActivitySpanId> LinkedSpans, IReadOnlyDictionary<string, string?> Tags)
    {
        public string? Tag(string key) => Tags.GetValueOrDefault(key);
    }

    /// <summary>Every stopped span of the process, with its trace, links and tags.</summary>
    private sealed class SpanCollector : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Span> _spans = new();

        public SpanCollector()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name.StartsWith("Gme.", StringComparison.Ordinal) || s.Name == "MassTransit",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => _spans.Enqueue(new Span(a.Source.Name, a.DisplayName, a.TraceId, a.SpanId,
                    [.. a.Links.Select(l => l.Context.SpanId)],
                    a.TagObjects.ToDictionary(t => t.Key, t => t.Value?.ToString(), StringComparer.Ordinal))),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Span> All => [.. _spans];

        public void Dispose() => _listener.Dispose();
    }
}
