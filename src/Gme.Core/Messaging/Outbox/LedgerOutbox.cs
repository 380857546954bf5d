using System.Diagnostics;
using System.Text.Json;
using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Messaging.Outbox;

/// <summary>
/// The messages one unit of work causes, saved with its state change (MassTransit.EntityFrameworkCore, whose outbox
/// would do this, is not available). <see cref="Publish{T}"/> adds a row to the consumer's own context, so the
/// consumer's <c>SaveChangesAsync</c> commits the state and the message together; <see cref="DeliverAsync"/> then
/// sends them. If the process dies in between, <see cref="OutboxSweeper"/> sends the rows later; a row sent twice
/// carries the same message id both times, which the receiving consumers' inbox recognises.
/// </summary>
public sealed class LedgerOutbox(LedgerDbContext db, TimeProvider clock)
{
    private readonly List<(OutboxMessageEntity Row, object Message, Type Type)> _pending = [];

    /// <summary>Queues a message; it is saved by the next <c>SaveChangesAsync</c> on the same context.</summary>
    public void Publish<T>(T message)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        var row = new OutboxMessageEntity
        {
            Id = NewId.NextGuid(),
            MessageType = OutboxMessageTypes.NameOf(typeof(T)),
            Body = JsonSerializer.Serialize(message),
            TraceParent = Activity.Current?.Id,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.OutboxMessages.Add(row);
        _pending.Add((row, message, typeof(T)));
    }

    /// <summary>
    /// Saves whatever is still unsaved (messages queued after the last state change), sends every queued message with
    /// its row id as message id, and marks the rows sent.
    /// </summary>
    public async Task DeliverAsync(IPublishEndpoint publisher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        if (_pending.Count == 0)
        {
            return;
        }

        if (_pending.Any(p => db.Entry(p.Row).State == EntityState.Added))
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        foreach (var (row, message, type) in _pending)
        {
            await publisher.Publish(message, type, context => context.MessageId = row.Id, cancellationToken);
        }

        var ids = _pending.Select(p => p.Row.Id).ToList();
        _pending.Clear();
        var now = clock.GetUtcNow().UtcDateTime;
        await db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.SentAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.SentAt, now), cancellationToken);
    }
}
