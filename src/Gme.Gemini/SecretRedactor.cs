namespace Gme.Gemini;

/// <summary>Removes the API key from any text that might leave the process (error bodies the server echoes, messages).</summary>
public static class SecretRedactor
{
    public const string Mask = "[redacted]";

    public static string Redact(string? text, string? secret)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        // Keys shorter than this would redact ordinary words; real keys are 39 characters.
        return string.IsNullOrEmpty(secret) || secret.Length < 8 ? text : text.Replace(secret, Mask, StringComparison.Ordinal);
    }
}
