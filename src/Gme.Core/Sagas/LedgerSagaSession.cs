using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Sagas;

/// <summary>
/// One unit of work on <c>saga_instances</c> for one saga type (the counterpart of MassTransit's Redis <c>DatabaseContext</c>).
/// Rows read for writing stay tracked by EF, so every update and delete is checked against the Version that was read:
/// a concurrent writer makes SaveChanges throw <see cref="DbUpdateConcurrencyException"/>, and the message retry
/// re-runs the saga against the fresh row.
/// </summary>
internal sealed class LedgerSagaSession<TSaga>(LedgerDbContext db, TimeProvider timeProvider)
    where TSaga : class, ISaga
{
    private static readonly string s_sagaType = LedgerSagaJson.TypeName<TSaga>();

    private readonly Dictionary<Guid, SagaInstanceEntity> _tracked = [];

    /// <summary>Loads an instance for change; null when there is no row of this saga type.</summary>
    public async Task<TSaga?> LoadForUpdateAsync(Guid correlationId, CancellationToken cancellationToken)
    {
        var entity = await db.SagaInstances
            .SingleOrDefaultAsync(x => x.CorrelationId == correlationId && x.SagaType == s_sagaType, cancellationToken);
        if (entity is null)
        {
            return null;
        }

        _tracked[correlationId] = entity;
        return Materialize(entity);
    }

    /// <summary>Reads an instance without tracking it (for ILoadSagaRepository callers that never write back).</summary>
    public async Task<TSaga?> ReadAsync(Guid correlationId, CancellationToken cancellationToken)
    {
        var entity = await db.SagaInstances.AsNoTracking()
            .SingleOrDefaultAsync(x => x.CorrelationId == correlationId && x.SagaType == s_sagaType, cancellationToken);
        return entity is null ? null : Materialize(entity);
    }

    /// <summary>
    /// The correlation ids of the instances matching <paramref name="query"/>. The state is JSON, so the filter cannot
    /// run in SQL: every row of this saga type is read and filtered in memory. That is fine for Gme's sagas (a handful of
    /// instances per run); a saga with thousands of live instances would need indexed columns instead.
    /// </summary>
    public async Task<List<Guid>> FindAsync(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        var rows = await db.SagaInstances.AsNoTracking()
            .Where(x => x.SagaType == s_sagaType)
            .ToListAsync(cancellationToken);
        var filter = query.GetFilter();
        return [.. rows.Select(Materialize).Where(filter).Select(x => x.CorrelationId)];
    }

    /// <summary>Inserts a new instance at Version 1; a row with the same id makes SaveChanges throw <see cref="DbUpdateException"/>.</summary>
    public async Task InsertAsync(TSaga instance, CancellationToken cancellationToken)
    {
        var entity = new SagaInstanceEntity { CorrelationId = instance.CorrelationId, SagaType = s_sagaType, Data = string.Empty };
        Write(entity, instance, version: 1);
        db.SagaInstances.Add(entity);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Forget the failed row so that a later SaveChanges on this context does not try to insert it again.
            db.Entry(entity).State = EntityState.Detached;
            throw;
        }

        _tracked[instance.CorrelationId] = entity;
    }

    /// <summary>Writes the instance back as Version + 1, only if the row still has the Version this session read.</summary>
    public Task UpdateAsync(TSaga instance, CancellationToken cancellationToken)
    {
        var entity = Tracked(instance);
        Write(entity, instance, entity.Version + 1);
        return db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Deletes the row, only if it still has the Version this session read.</summary>
    public async Task DeleteAsync(TSaga instance, CancellationToken cancellationToken)
    {
        db.SagaInstances.Remove(Tracked(instance));
        await db.SaveChangesAsync(cancellationToken);
        _tracked.Remove(instance.CorrelationId);
    }

    private SagaInstanceEntity Tracked(TSaga instance) =>
        _tracked.TryGetValue(instance.CorrelationId, out var entity)
            ? entity
            : throw new InvalidOperationException($"Saga {s_sagaType} {instance.CorrelationId} was not loaded or inserted by this session.");

    private void Write(SagaInstanceEntity entity, TSaga instance, int version)
    {
        if (instance is ISagaVersion versioned)
        {
            versioned.Version = version;
        }

        entity.Version = version;
        entity.Data = LedgerSagaJson.Serialize(instance);
        entity.UpdatedAt = timeProvider.GetUtcNow().UtcDateTime;
    }

    private static TSaga Materialize(SagaInstanceEntity entity)
    {
        var instance = LedgerSagaJson.Deserialize<TSaga>(entity.Data, entity.CorrelationId);
        if (instance is ISagaVersion versioned)
        {
            versioned.Version = entity.Version;
        }

        return instance;
    }
}
