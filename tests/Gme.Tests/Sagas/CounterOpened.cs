namespace Gme.Tests.Sagas;

/// <summary>An initial event with InsertOnInitial (created through the Insert path).</summary>
public sealed record CounterOpened(Guid CounterId, string Name);
