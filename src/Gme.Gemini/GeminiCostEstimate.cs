namespace Gme.Gemini;

/// <summary>Tokens and dollars for a number of products, batch and synchronous.</summary>
public sealed record GeminiCostEstimate(long Items, long TextTokens, long ImageTokens, double BatchUsd, double SyncUsd)
{
    public long TotalTokens => TextTokens + ImageTokens;

    public static GeminiCostEstimate For(GeminiOptions options, long items, long textTokens, long images)
    {
        var imageTokens = images * options.TokensPerImage;
        return new GeminiCostEstimate(items, textTokens, imageTokens,
            Usd(textTokens, options.BatchTextPricePerMillion) + Usd(imageTokens, options.BatchImagePricePerMillion),
            Usd(textTokens, options.SyncTextPricePerMillion) + Usd(imageTokens, options.SyncImagePricePerMillion));
    }

    private static double Usd(long tokens, double pricePerMillion) => tokens / 1_000_000.0 * pricePerMillion;
}
