using System.Diagnostics;
using System.Text.Json;
using Gme.Core.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gme.Core.Messaging.Outbox;

/// <summary>
/// Sends outbox rows that were committed but never sent (their writer died between commit and send, or the broker
/// was down), and deletes sent outbox rows and inbox rows past their retention. Every process runs one; two sending
/// the same row send the same message id, which the receivers' inbox turns into one delivery.
/// </summary>
public sealed partial class OutboxSweeper(
    IDbContextFactory<LedgerDbContext> dbFactory,
    IBus bus,
    IOptions<MessagingOptions> options,
    TimeProvider clock,
    ILogger<OutboxSweeper> logger) : BackgroundService
{
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The ledger or broker may be restarting; the next tick tries again.
                LogSweepFailed(logger, ex);
            }
        }
    }

    /// <summary>One pass: resend stale unsent rows, then delete expired ones. Returns the number of rows sent.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var staleBefore = now - options.Value.ResendAfter;
        await using var db = dbFactory.CreateDbContext();
        var stale = await db.OutboxMessages
            .Where(m => m.SentAt == null && m.CreatedAt <= staleBefore)
            .OrderBy(m => m.CreatedAt)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);

        foreach (var row in stale)
        {
            if (OutboxMessageTypes.Find(row.MessageType) is not { } type
                || JsonSerializer.Deserialize(row.Body, type) is not { } message)
            {
                // Not something this version can send; keep the row for a person to look at, but stop retrying it.
                LogUnreadable(logger, row.Id, row.MessageType);
                row.SentAt = now;
                continue;
            }

            // Continue the trace of the unit of work that saved the message, not a new one of the sweeper's.
            using var activity = CoreDiagnostics.ActivitySource.StartActivity("outbox resend", ActivityKind.Producer, row.TraceParent);
            activity?.SetTag("messaging.message.id", row.Id);
            await bus.Publish(message, type, context => context.MessageId = row.Id, cancellationToken);
            row.SentAt = clock.GetUtcNow().UtcDateTime;
            CoreDiagnostics.OutboxResent.Add(1);
            LogResent(logger, row.Id, row.MessageType, now - row.CreatedAt);
        }

        await db.SaveChangesAsync(cancellationToken);

        var expired = now - options.Value.Retention;
        await db.OutboxMessages.Where(m => m.SentAt != null && m.SentAt < expired).ExecuteDeleteAsync(cancellationToken);
        await db.InboxMessages.Where(m => m.ProcessedAt < expired).ExecuteDeleteAsync(cancellationToken);
        return stale.Count;
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Outbox message {MessageId} ({MessageType}) sent late by the sweeper, {Age} after it was saved")]
    private static partial void LogResent(ILogger logger, Guid messageId, string messageType, TimeSpan age);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Error, Message = "Outbox message {MessageId} has type {MessageType}, which this version cannot read; marked sent without sending")]
    private static partial void LogUnreadable(ILogger logger, Guid messageId, string messageType);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Outbox sweep failed; retrying on the next tick")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
