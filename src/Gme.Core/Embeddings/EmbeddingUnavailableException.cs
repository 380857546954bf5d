namespace Gme.Core.Embeddings;

/// <summary>
/// A query could not be embedded because the model's service stayed unavailable or rate limited for longer than the
/// query deadline. Hosts map it to one line (CLI) or 503 (search API); the message never holds a secret.
/// </summary>
public sealed class EmbeddingUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
