namespace Gme.Tests.Sagas;

/// <summary>Finalizes the counter, which deletes it.</summary>
public sealed record CounterFinished(Guid CounterId);
