namespace Gme.Core.Embeddings;

/// <summary>
/// A provider refuses to start a paid job because the run's cost cap would be passed. Nothing was sent; the submit
/// stage pauses the run instead of failing it, so it can be resumed (with a higher cap) later.
/// </summary>
public sealed class BudgetExceededException(string message) : Exception(message);
