using Gme.Core.Ledger;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Sagas;

/// <summary>
/// Opens one ledger context per consumed message (resolved per message scope by MassTransit's DI saga repository),
/// so every retry of a message starts from the row as it is now, never from a stale tracked copy.
/// </summary>
internal sealed class LedgerSagaRepositoryContextFactory<TSaga>(
    IDbContextFactory<LedgerDbContext> dbContextFactory,
    ISagaConsumeContextFactory<LedgerSagaSession<TSaga>, TSaga> consumeContextFactory) :
    ISagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
{
    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "gme-ledger");
        context.Add("sagaType", typeof(TSaga).Name);
    }

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(context.CancellationToken);
        var repositoryContext = new LedgerSagaRepositoryContext<TSaga, T>(new LedgerSagaSession<TSaga>(db), context, consumeContextFactory);
        await next.Send(repositoryContext);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(context.CancellationToken);
        var session = new LedgerSagaSession<TSaga>(db);
        var matches = await session.FindAsync(query, context.CancellationToken);

        // Each match is loaded again (tracked, with its Version) when MassTransit dispatches to it.
        var repositoryContext = new LedgerSagaRepositoryContext<TSaga, T>(session, context, consumeContextFactory);
        await next.Send(new DefaultSagaRepositoryQueryContext<TSaga, T>(repositoryContext, matches));
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        ExecuteAsync(context => asyncMethod(context), cancellationToken);

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        ExecuteAsync(context => asyncMethod(context), cancellationToken);

    private async Task<T> ExecuteAsync<T>(Func<LedgerSagaQueryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        return await asyncMethod(new LedgerSagaQueryContext<TSaga>(new LedgerSagaSession<TSaga>(db), cancellationToken));
    }
}
