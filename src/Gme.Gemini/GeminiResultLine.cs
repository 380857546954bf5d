namespace Gme.Gemini;

/// <summary>One line of a responses file: the vector or the error for a key, and the prompt tokens billed if reported.</summary>
public sealed record GeminiResultLine(string Key, float[]? Values, string? Error, long? Tokens = null);
