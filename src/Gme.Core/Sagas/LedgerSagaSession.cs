using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Sagas;

/// <summary>
/// One unit of work on a saga's own ledger table (the counterpart of MassTransit's EF Core repository, which is not
/// available): the saga instance is an entity of the ledger model whose key is the correlation id and whose
/// <see cref="ISagaVersion.Version"/> is a concurrency token. Rows read for writing stay tracked by EF, so every update
/// and delete is checked against the Version that was read: a concurrent writer makes SaveChanges throw
/// <see cref="DbUpdateConcurrencyException"/>, and the message retry re-runs the saga against the fresh row.
/// </summary>
internal sealed class LedgerSagaSession<TSaga>(LedgerDbContext db)
    where TSaga : class, ISaga
{
    /// <summary>Loads an instance for change; null when there is no row.</summary>
    public async Task<TSaga?> LoadForUpdateAsync(Guid correlationId, CancellationToken cancellationToken) =>
        await db.Set<TSaga>().FindAsync([correlationId], cancellationToken);

    /// <summary>Reads an instance without tracking it (for ILoadSagaRepository callers that never write back).</summary>
    public async Task<TSaga?> ReadAsync(Guid correlationId, CancellationToken cancellationToken)
    {
        var key = KeyName();
        return await db.Set<TSaga>().AsNoTracking()
            .SingleOrDefaultAsync(x => EF.Property<Guid>(x, key) == correlationId, cancellationToken);
    }

    /// <summary>
    /// The correlation ids of the instances matching <paramref name="query"/>. The filter is written against the saga
    /// class (whose correlation id need not be a column), so it runs in memory: fine for Gme's sagas (one per run).
    /// </summary>
    public async Task<List<Guid>> FindAsync(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        var rows = await db.Set<TSaga>().AsNoTracking().ToListAsync(cancellationToken);
        var filter = query.GetFilter();
        return [.. rows.Where(filter).Select(x => x.CorrelationId)];
    }

    /// <summary>Inserts a new instance at Version 1; a row with the same id makes SaveChanges throw <see cref="DbUpdateException"/>.</summary>
    public async Task InsertAsync(TSaga instance, CancellationToken cancellationToken)
    {
        if (instance is ISagaVersion versioned)
        {
            versioned.Version = 1;
        }

        var entry = db.Set<TSaga>().Add(instance);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Forget the failed row so that a later SaveChanges on this context does not try to insert it again.
            entry.State = EntityState.Detached;
            throw;
        }
    }

    /// <summary>
    /// Writes the instance back as Version + 1, only if the row still has the Version this session read. An event
    /// that changed nothing writes nothing, so stage events that only ask "is the run done yet?" do not contend.
    /// </summary>
    public Task UpdateAsync(TSaga instance, CancellationToken cancellationToken)
    {
        var entry = Tracked(instance);
        if (entry.State is not EntityState.Modified)
        {
            return Task.CompletedTask;
        }

        if (instance is ISagaVersion versioned)
        {
            versioned.Version++;
        }

        return db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Deletes the row, only if it still has the Version this session read.</summary>
    public async Task DeleteAsync(TSaga instance, CancellationToken cancellationToken)
    {
        db.Set<TSaga>().Remove(Tracked(instance).Entity);
        await db.SaveChangesAsync(cancellationToken);
    }

    private Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<TSaga> Tracked(TSaga instance)
    {
        var entry = db.Entry(instance);
        if (entry.State is EntityState.Detached)
        {
            throw new InvalidOperationException($"Saga {typeof(TSaga).Name} {instance.CorrelationId} was not loaded or inserted by this session.");
        }

        entry.DetectChanges();
        return entry;
    }

    private string KeyName() =>
        db.Model.FindEntityType(typeof(TSaga))?.FindPrimaryKey()?.Properties.Single().Name
            ?? throw new InvalidOperationException($"Saga {typeof(TSaga).Name} is not an entity of the ledger model.");
}
