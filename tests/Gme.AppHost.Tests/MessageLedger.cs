using Gme.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Gme.AppHost.Tests;

/// <summary>
/// What each consumer processed, from the ledger itself: every stage-complete message a stage committed is an outbox
/// row (with its message id), and every message a consumer finished is an inbox row (consumer, message id). A message
/// lost anywhere (in a broker restart, with a killed process) shows as an outbox row without the inbox rows of its
/// subscribers.
/// </summary>
internal static class MessageLedger
{
    /// <summary>The topology under test: which receive endpoints consume each message the stages send.</summary>
    private static readonly Dictionary<string, string[]> s_subscribers = new(StringComparer.Ordinal)
    {
        ["Gme.Contracts.ProductsIngested"] = ["download-images"],
        ["Gme.Contracts.DatasetIngested"] = ["build-shards", "run-state"],
        ["Gme.Contracts.ImagesDownloaded"] = ["build-shards", "run-state"],
        ["Gme.Contracts.ShardBuilt"] = ["submit-shard"],
        ["Gme.Contracts.ShardSubmitted"] = ["collect-shard"],
        ["Gme.Contracts.CollectShard"] = ["collect-shard"],
        ["Gme.Contracts.EmbeddingsCollected"] = ["upsert-vectors", "run-state"],
        ["Gme.Contracts.ShardFailed"] = ["run-state"],
        ["Gme.Contracts.RunPaused"] = ["run-state"],
        ["Gme.Contracts.CollectionInitialized"] = ["run-state"],
        ["Gme.Contracts.RunValidated"] = ["run-state", "remote-storage-sweep"],
        ["Gme.Contracts.ReleaseRemoteJob"] = ["release-remote-job"],
        ["Gme.Contracts.VectorsUpserted"] = ["run-state"],
        ["Gme.Contracts.ProductsRemoved"] = ["remove-products"],
        ["Gme.Contracts.ProductsPurged"] = ["run-state"],
    };

    public sealed record Settled(IReadOnlyDictionary<string, int> ProcessedByConsumer, int OutboxMessages, int SentLate);

    /// <summary>
    /// Waits until every outbox row is sent and processed by each of its subscribers (an unsent row waits for a
    /// sweeper, up to a minute), then returns what each consumer processed. Fails naming what is missing.
    /// </summary>
    public static async Task<Settled> WaitUntilSettledAsync(DistributedApplication app, string serviceName, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(app, serviceName, cancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var outbox = await db.OutboxMessages.AsNoTracking().ToListAsync(cancellationToken);
            var inbox = await db.InboxMessages.AsNoTracking().ToListAsync(cancellationToken);
            var processed = inbox.Select(i => (i.Consumer, i.MessageId)).ToHashSet();
            var unknown = outbox.Select(m => m.MessageType).Where(t => !s_subscribers.ContainsKey(t)).Distinct().ToList();
            Assert.True(unknown.Count == 0, $"outbox holds message types the test does not know the subscribers of: {string.Join(", ", unknown)}");
            var missing = outbox
                .SelectMany(m => s_subscribers[m.MessageType]
                    .Where(consumer => !processed.Contains((consumer, m.Id)))
                    .Select(consumer => $"{m.MessageType} {m.Id} -> {consumer}{(m.SentAt is null ? " (never sent)" : "")}"))
                .ToList();
            if (missing.Count == 0 && outbox.All(m => m.SentAt is not null))
            {
                var byConsumer = inbox.GroupBy(i => i.Consumer).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
                var late = outbox.Count(m => m.SentAt - m.CreatedAt > TimeSpan.FromSeconds(10));
                return new Settled(byConsumer, outbox.Count, late);
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"{missing.Count} deliveries missing, e.g. {string.Join("; ", missing.Take(10))}");
            db.ChangeTracker.Clear();
            await Task.Delay(500, cancellationToken);
        }
    }

    private static async Task<PostgresLedgerDbContext> OpenAsync(DistributedApplication app, string serviceName, CancellationToken cancellationToken)
    {
        // The services get the ledger's connection string through their environment; read it from what the app reports
        // of the running service.
        string? connectionString = null;
        await foreach (var e in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (e.Resource.Name == serviceName
                && e.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == $"ConnectionStrings__{ResourceNames.State}") is { Value: { Length: > 0 } value })
            {
                connectionString = value;
                break;
            }
        }

        return new PostgresLedgerDbContext(new DbContextOptionsBuilder<PostgresLedgerDbContext>().UseNpgsql(connectionString).Options);
    }
}
