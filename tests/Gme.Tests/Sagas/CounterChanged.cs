namespace Gme.Tests.Sagas;

/// <summary>Published by the counter saga after each increment: what a run's ValidateRun is to the run saga.</summary>
public sealed record CounterChanged(Guid CounterId, int Count);
