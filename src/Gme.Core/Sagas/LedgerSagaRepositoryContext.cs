using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Sagas;

/// <summary>
/// The repository as one consumed message sees it: MassTransit's SendSagaPipe calls Insert/Load, runs the saga, then
/// Update or Delete (existing instance); its MissingSagaPipe calls Add, runs the saga, then Save or Discard (new instance).
/// </summary>
internal sealed class LedgerSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    private readonly ConsumeContext<TMessage> _context;
    private readonly LedgerSagaSession<TSaga> _session;
    private readonly ISagaConsumeContextFactory<LedgerSagaSession<TSaga>, TSaga> _factory;

    public LedgerSagaRepositoryContext(
        LedgerSagaSession<TSaga> session,
        ConsumeContext<TMessage> context,
        ISagaConsumeContextFactory<LedgerSagaSession<TSaga>, TSaga> factory)
        : base(context)
    {
        _context = context;
        _session = session;
        _factory = factory;
    }

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_session, _context, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Insert(TSaga instance)
    {
        try
        {
            await _session.InsertAsync(instance, CancellationToken);
        }
        catch (DbUpdateException)
        {
            // Insert-on-initial lost to an existing row: returning null makes MassTransit load that row instead.
            return null;
        }

        return await _factory.CreateSagaConsumeContext(_session, _context, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Load(Guid correlationId)
    {
        var instance = await _session.LoadForUpdateAsync(correlationId, CancellationToken);
        return instance is null
            ? null
            : await _factory.CreateSagaConsumeContext(_session, _context, instance, SagaConsumeContextMode.Load);
    }

    /// <summary>A new instance (Add path): a concurrent creator of the same id makes this throw, and the retry then loads it.</summary>
    public Task Save(SagaConsumeContext<TSaga> context) => _session.InsertAsync(context.Saga, CancellationToken);

    public Task Update(SagaConsumeContext<TSaga> context) => _session.UpdateAsync(context.Saga, CancellationToken);

    public Task Delete(SagaConsumeContext<TSaga> context) => _session.DeleteAsync(context.Saga, CancellationToken);

    /// <summary>Nothing was written for an added instance before Save, so there is nothing to throw away.</summary>
    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    /// <summary>The session dies with the message, so unsaved changes vanish without help.</summary>
    public Task Undo(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_session, consumeContext, instance, mode);
}
