using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;

namespace Gme.Core.Sagas;

/// <summary>Read-only access for <see cref="ILoadSagaRepository{TSaga}"/> and <see cref="IQuerySagaRepository{TSaga}"/> (status pages, tests).</summary>
internal sealed class LedgerSagaQueryContext<TSaga>(LedgerSagaSession<TSaga> session, CancellationToken cancellationToken) :
    BasePipeContext(cancellationToken),
    LoadSagaRepositoryContext<TSaga>,
    QuerySagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    // MassTransit annotates Load as non-null, yet its own repositories return null for a missing instance (as this does).
#pragma warning disable CS8613
    public async Task<TSaga?> Load(Guid correlationId) => await session.ReadAsync(correlationId, CancellationToken);
#pragma warning restore CS8613

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        var matches = await session.FindAsync(query, cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, matches);
    }
}
