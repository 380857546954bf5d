namespace Gme.Tests.Sagas;

/// <summary>Adds one to the counters with this name (query correlation).</summary>
public sealed record CounterIncrementedByName(string Name);
