using MassTransit;

namespace Gme.Core.Messaging.Outbox;

/// <summary>
/// The one place where a consumer's ledger changes are committed and its messages delivered: each attempt starts a
/// fresh <see cref="LedgerUnitOfWork"/>, and only when the consumer returns without throwing is it committed and its
/// outbox rows sent (row id as message id). A consumer that throws sends nothing; what it committed itself before
/// throwing is sent by <see cref="OutboxSweeper"/>.
/// </summary>
public sealed class LedgerUnitOfWorkFilter<T>(LedgerUnitOfWork unitOfWork) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        await unitOfWork.BeginAsync(context);
        await next.Send(context);
        await unitOfWork.CommitAsync(context.CancellationToken);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("gme-unit-of-work");
}
