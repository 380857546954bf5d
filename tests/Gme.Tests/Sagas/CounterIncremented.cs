namespace Gme.Tests.Sagas;

/// <summary>Adds one; discarded when the counter does not exist.</summary>
public sealed record CounterIncremented(Guid CounterId);
