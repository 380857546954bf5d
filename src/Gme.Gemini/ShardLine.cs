namespace Gme.Gemini;

/// <summary>One line of a shard file as read back: its key, token estimate and (when asked for) the request JSON.</summary>
internal sealed record ShardLine(string Key, long TextTokens, int Images, string? RequestJson);
