using System.Diagnostics;
using System.Text.Json;
using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Messaging.Outbox;

/// <summary>
/// One consumed message's unit of work: the ledger context the consumer changes and the messages it causes
/// (MassTransit.EntityFrameworkCore, whose outbox would do this, is not available). It is scoped to the consume
/// scope; consumers inject it, change <see cref="Db"/> and <see cref="Publish{T}"/>, and
/// <see cref="LedgerUnitOfWorkFilter{T}"/> commits and delivers once the consumer returns. A published message is a
/// row in the same context, so it is committed with the state change or not at all; the rows are then sent with
/// their row id as message id and marked sent. If the process dies in between, <see cref="OutboxSweeper"/> sends
/// them later, with the same id, which the receivers' inbox recognises.
/// </summary>
public sealed class LedgerUnitOfWork(IDbContextFactory<LedgerDbContext> dbFactory, TimeProvider clock) : IAsyncDisposable
{
    private readonly List<(OutboxMessageEntity Row, object Message, Type Type)> _pending = [];
    private LedgerDbContext? _db;
    private IPublishEndpoint? _publisher;

    /// <summary>The ledger context of this attempt; created on first use.</summary>
    public LedgerDbContext Db => _db ??= dbFactory.CreateDbContext();

    /// <summary>Queues a message as an outbox row in <see cref="Db"/>; it is saved with the next commit.</summary>
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
        Db.OutboxMessages.Add(row);
        _pending.Add((row, message, typeof(T)));
    }

    /// <summary>
    /// Saves what is unsaved, then sends every committed queued message and marks its row sent. The filter calls it
    /// when the consumer returns; a consumer that hands work on in pieces (stage 1's chunks) calls it at each piece.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_db is null)
        {
            return;
        }

        if (_db.ChangeTracker.HasChanges())
        {
            await _db.SaveChangesAsync(cancellationToken);
        }

        if (_pending.Count == 0)
        {
            return;
        }

        var publisher = _publisher
            ?? throw new InvalidOperationException("The ledger unit of work delivers only inside a consumed message (LedgerUnitOfWorkFilter).");
        foreach (var (row, message, type) in _pending)
        {
            await publisher.Publish(message, type, context => context.MessageId = row.Id, cancellationToken);
        }

        var ids = _pending.Select(p => p.Row.Id).ToList();
        _pending.Clear();
        var now = clock.GetUtcNow().UtcDateTime;
        await _db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.SentAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.SentAt, now), cancellationToken);
    }

    /// <summary>
    /// Starts an attempt: the retry runs inside the consume scope, so a failed attempt's context and unsent
    /// messages are thrown away here and the next attempt reads the ledger afresh.
    /// </summary>
    internal async Task BeginAsync(IPublishEndpoint publisher)
    {
        _pending.Clear();
        if (_db is not null)
        {
            await _db.DisposeAsync();
            _db = null;
        }

        _publisher = publisher;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Clear();
        if (_db is not null)
        {
            await _db.DisposeAsync();
            _db = null;
        }
    }
}
