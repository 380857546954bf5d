namespace Gme.Embedder.Gemini;

/// <summary>What one job cost: tokens embedded in batch or synchronous mode, and the dollars at the configured prices.</summary>
public sealed record GeminiSpendEntry(string Job, string Mode, long Items, long TextTokens, long ImageTokens, double Usd);
