namespace Gme.Tests.Sagas;

/// <summary>The initial event (created through MassTransit's Add/Save path).</summary>
public sealed record CounterStarted(Guid CounterId, string Name);
