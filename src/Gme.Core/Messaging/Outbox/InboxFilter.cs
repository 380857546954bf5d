using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Gme.Core.Messaging.Outbox;

/// <summary>
/// The inbox: a message id a consumer has already finished with is acknowledged without running the consumer again,
/// and one it finishes is recorded (consumer = its receive endpoint, so several instances of one service share one
/// record). Consumers stay idempotent by their ledger checks as well: a crash after the consumer's commit and before
/// the inbox row means the message runs once more, which changes nothing.
/// </summary>
public sealed partial class InboxFilter<T>(
    IDbContextFactory<LedgerDbContext> dbFactory,
    TimeProvider clock,
    ILogger<InboxFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.MessageId is not { } messageId)
        {
            await next.Send(context);
            return;
        }

        var consumer = ConsumerName(context.ReceiveContext.InputAddress);
        var ct = context.CancellationToken;
        if (await IsProcessedAsync(consumer, messageId, ct))
        {
            CoreDiagnostics.InboxDuplicates.Add(1);
            LogDuplicate(logger, messageId, typeof(T).Name, consumer);
            return;
        }

        await next.Send(context);

        await using var db = dbFactory.CreateDbContext();
        db.InboxMessages.Add(new InboxMessageEntity
        {
            Consumer = consumer,
            MessageId = messageId,
            MessageType = typeof(T).Name,
            ProcessedAt = clock.GetUtcNow().UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance finished the same delivery at the same moment: one record is all we need.
            if (!await IsProcessedAsync(consumer, messageId, ct))
            {
                throw;
            }
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("gme-inbox");

    /// <summary>The receive endpoint (queue) name: the last segment of the input address.</summary>
    internal static string ConsumerName(Uri inputAddress) => inputAddress.Segments[^1].Trim('/');

    private async Task<bool> IsProcessedAsync(string consumer, Guid messageId, CancellationToken ct)
    {
        await using var db = dbFactory.CreateDbContext();
        return await db.InboxMessages.AnyAsync(m => m.Consumer == consumer && m.MessageId == messageId, ct);
    }

    [LoggerMessage(EventId = 1510, Level = LogLevel.Debug, Message = "Message {MessageId} ({MessageType}) already processed by {Consumer}; skipped")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId, string messageType, string consumer);
}
