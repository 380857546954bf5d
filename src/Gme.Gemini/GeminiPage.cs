namespace Gme.Gemini;

/// <summary>One page of a list call.</summary>
public sealed record GeminiPage<T>(IReadOnlyList<T> Items, string? NextPageToken);
