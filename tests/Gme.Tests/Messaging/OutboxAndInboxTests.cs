using System.Text.Json;
using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Tests.Messaging;

public sealed class OutboxAndInboxTests
{
    private static readonly CancellationToken s_none = CancellationToken.None;

    [Fact]
    public async Task UnitOfWork_CommitFailsThenSucceeds_DeliversOnlyTheCommittedMessageOnceUnderItsRowId()
    {
        await using var host = await MessagingTestHost.StartAsync();
        var runId = Guid.NewGuid();
        await using (var db = host.Db())
        {
            // The first attempt adds this rejection again, so its commit fails on the primary key.
            db.RejectedRows.Add(new RejectedRowEntity { RunId = runId, RowNumber = 1, Reason = "seed" });
            await db.SaveChangesAsync(s_none);
        }

        await host.Bus.Publish(new OutboxProbe(runId, FailFirstCommit: true, ThrowAfterPublish: false), s_none);

        await Eventually.TrueAsync(() => Task.FromResult(host.Counts.Handled.Count == 1), "the committed message handled", s_none);
        Assert.Equal(2, host.Probe.Attempts);
        await using var check = host.Db();
        var row = await check.OutboxMessages.AsNoTracking().SingleAsync(s_none);
        Assert.Equal(row.Id, host.Counts.Handled.Single());
        Assert.NotNull(row.SentAt);
        Assert.Equal(typeof(RunValidated).FullName, row.MessageType);
        Assert.Equal(runId, JsonSerializer.Deserialize<RunValidated>(row.Body)!.RunId);
        Assert.True(await check.Runs.AnyAsync(r => r.Id == runId, s_none));

        // Marked sent by the filter, so the sweeper has nothing to send again.
        Assert.Equal(0, await host.Sweeper.SweepOnceAsync(s_none));
        Assert.Single(host.Counts.Handled);
    }

    [Fact]
    public async Task UnitOfWork_ConsumerThrowsAfterPublishing_SendsAndSavesNothing()
    {
        await using var host = await MessagingTestHost.StartAsync();
        var runId = Guid.NewGuid();
        var expected = host.Receives.Handled + 1;

        await host.Bus.Publish(new OutboxProbe(runId, FailFirstCommit: false, ThrowAfterPublish: true), s_none);
        await host.Receives.WaitForHandledAsync(expected, s_none);

        Assert.Equal(1, host.Probe.Attempts);
        await using var check = host.Db();
        Assert.Equal(0, await check.OutboxMessages.CountAsync(s_none));
        Assert.False(await check.Runs.AnyAsync(r => r.Id == runId, s_none));
        Assert.Equal(0, await host.Sweeper.SweepOnceAsync(s_none));
        Assert.Empty(host.Counts.Handled);
    }

    [Fact]
    public async Task Sweeper_SendsRowsCommittedButNeverSent_OnceAndUnderTheirOwnId()
    {
        await using var host = await MessagingTestHost.StartAsync(o => o.ResendAfter = TimeSpan.FromSeconds(1));
        var orphan = Guid.NewGuid();
        var fresh = Guid.NewGuid();
        await using (var db = host.Db())
        {
            // A writer that died between its commit and its send, and one that is sending right now.
            db.OutboxMessages.Add(Row(orphan, new RunValidated { RunId = Guid.NewGuid(), Passed = true }, DateTime.UtcNow.AddMinutes(-1)));
            db.OutboxMessages.Add(Row(fresh, new RunValidated { RunId = Guid.NewGuid(), Passed = true }, DateTime.UtcNow.AddMinutes(5)));
            await db.SaveChangesAsync(s_none);
        }

        var sweeper = host.Sweeper;
        Assert.Equal(1, await sweeper.SweepOnceAsync(s_none));
        await Eventually.TrueAsync(() => Task.FromResult(host.Counts.Handled.Count == 1), "orphan handled", s_none);
        Assert.Equal(orphan, host.Counts.Handled.Single());

        Assert.Equal(0, await sweeper.SweepOnceAsync(s_none));
        await using var check = host.Db();
        Assert.NotNull((await check.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == orphan, s_none)).SentAt);
        Assert.Null((await check.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == fresh, s_none)).SentAt);
    }

    [Fact]
    public async Task Sweeper_RowOfATypeOutsideTheContracts_IsNeverDeserialised()
    {
        await using var host = await MessagingTestHost.StartAsync(o => o.ResendAfter = TimeSpan.FromSeconds(1));
        await using (var db = host.Db())
        {
            db.OutboxMessages.Add(new OutboxMessageEntity
            {
                Id = Guid.NewGuid(),
                MessageType = typeof(System.IO.FileInfo).FullName!,
                Body = "\"/etc/passwd\"",
                CreatedAt = DateTime.UtcNow.AddMinutes(-1),
            });
            await db.SaveChangesAsync(s_none);
        }

        var sweeper = host.Sweeper;
        await sweeper.SweepOnceAsync(s_none);
        await using var check = host.Db();
        Assert.NotNull((await check.OutboxMessages.AsNoTracking().SingleAsync(s_none)).SentAt);
        Assert.Empty(host.Counts.Handled);
        Assert.Throws<ArgumentException>(() => OutboxMessageTypes.NameOf(typeof(System.IO.FileInfo)));
    }

    [Fact]
    public async Task Sweeper_DeletesSentOutboxRowsAndInboxRowsPastRetention()
    {
        await using var host = await MessagingTestHost.StartAsync(o => o.Retention = TimeSpan.FromMinutes(1));
        await using (var db = host.Db())
        {
            var old = Row(Guid.NewGuid(), new RunValidated { RunId = Guid.NewGuid(), Passed = true }, DateTime.UtcNow.AddHours(-2));
            old.SentAt = DateTime.UtcNow.AddHours(-2);
            var recent = Row(Guid.NewGuid(), new RunValidated { RunId = Guid.NewGuid(), Passed = true }, DateTime.UtcNow);
            recent.SentAt = DateTime.UtcNow;
            db.OutboxMessages.AddRange(old, recent);
            db.InboxMessages.Add(new InboxMessageEntity { Consumer = "x", MessageId = old.Id, MessageType = "RunValidated", ProcessedAt = DateTime.UtcNow.AddHours(-2) });
            db.InboxMessages.Add(new InboxMessageEntity { Consumer = "x", MessageId = recent.Id, MessageType = "RunValidated", ProcessedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(s_none);
        }

        var sweeper = host.Sweeper;
        await sweeper.SweepOnceAsync(s_none);
        await using var check = host.Db();
        Assert.Equal(1, await check.OutboxMessages.CountAsync(s_none));
        Assert.Equal(1, await check.InboxMessages.CountAsync(s_none));
    }

    [Fact]
    public async Task Inbox_SameMessageIdDeliveredTwice_IsHandledOnceAndRecordedOnce()
    {
        await using var host = await MessagingTestHost.StartAsync();
        var messageId = Guid.NewGuid();
        var message = new RunValidated { RunId = Guid.NewGuid(), Passed = true };
        await host.Bus.Publish(message, c => c.MessageId = messageId, s_none);
        await host.Receives.WaitForHandledAsync(1, s_none);

        // The same delivery again (a redelivery after a lost ack, or an outbox row sent twice), then a new message.
        await host.Bus.Publish(message, c => c.MessageId = messageId, s_none);
        var other = Guid.NewGuid();
        await host.Bus.Publish(message, c => c.MessageId = other, s_none);
        await host.Receives.WaitForHandledAsync(3, s_none);

        Assert.Equal(new[] { messageId, other }.Order(), host.Counts.Handled.Order());
        await using var check = host.Db();
        var rows = await check.InboxMessages.AsNoTracking().ToListAsync(s_none);
        Assert.All(rows, r => Assert.Equal("counting", r.Consumer));
        Assert.Equal(new[] { messageId, other }.Order(), rows.Select(r => r.MessageId).Order());
    }

    [Fact]
    public void Inbox_ConsumerName_IsTheQueueName()
    {
        Assert.Equal("download-images", InboxFilter<RunValidated>.ConsumerName(new Uri("rabbitmq://localhost/download-images")));
        Assert.Equal("collect-shard", InboxFilter<RunValidated>.ConsumerName(new Uri("rabbitmq://broker:5672/gme/collect-shard")));
        Assert.Equal("run-state", InboxFilter<RunValidated>.ConsumerName(new Uri("loopback://localhost/run-state")));
    }

    private static async Task<int> InboxCountAsync(MessagingTestHost host)
    {
        await using var db = host.Db();
        return await db.InboxMessages.CountAsync(s_none);
    }

    private static OutboxMessageEntity Row<T>(Guid id, T message, DateTime createdAt)
        where T : class => new()
        {
            Id = id,
            MessageType = OutboxMessageTypes.NameOf(typeof(T)),
            Body = JsonSerializer.Serialize(message),
            CreatedAt = createdAt,
        };

}
