namespace Gme.Gemini;

/// <summary>
/// What one job cost: tokens embedded in batch or synchronous mode, and the dollars at the configured prices.
/// <see cref="ActualTokens"/> is the prompt token total the results reported (usageMetadata); when present
/// <see cref="Usd"/> is derived from it, otherwise <see cref="Usd"/> is the estimate and <see cref="Estimated"/> is true.
/// </summary>
public sealed record GeminiSpendEntry(string Job, string Mode, long Items, long TextTokens, long ImageTokens, double Usd,
    long? ActualTokens = null, bool Estimated = true);
