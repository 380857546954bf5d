namespace Gme.Core.Ledger;

/// <summary>
/// A message a consumer has finished with, keyed by consumer (its endpoint) and message id. A message delivered again
/// (broker redelivery after a lost ack, an outbox row sent twice) is then skipped instead of processed again.
/// </summary>
public sealed class InboxMessageEntity
{
    public required string Consumer { get; set; }
    public Guid MessageId { get; set; }
    public required string MessageType { get; set; }
    public DateTime ProcessedAt { get; set; }
}
