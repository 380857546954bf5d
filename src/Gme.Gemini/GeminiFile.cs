namespace Gme.Gemini;

/// <summary>What the client reads from a File resource.</summary>
public sealed record GeminiFile(string Name, string? DisplayName, long? SizeBytes, string? State);
