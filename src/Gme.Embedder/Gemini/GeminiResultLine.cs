namespace Gme.Embedder.Gemini;

/// <summary>One line of a responses file: the vector or the error for a key.</summary>
public sealed record GeminiResultLine(string Key, float[]? Values, string? Error);
