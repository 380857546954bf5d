namespace Gme.Core.Ledger;

/// <summary>
/// A stage-complete message saved in the same transaction as the state change that causes it, and sent after that
/// transaction commits. Its id is the message id on the bus, so a row sent twice is recognised by every inbox.
/// </summary>
public sealed class OutboxMessageEntity
{
    public Guid Id { get; set; }

    /// <summary>Full name of a type in Gme.Contracts; nothing else is ever deserialised from this table.</summary>
    public required string MessageType { get; set; }
    public required string Body { get; set; }

    /// <summary>W3C traceparent of the activity that saved the message, so a late send stays in the same trace.</summary>
    public string? TraceParent { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
}
