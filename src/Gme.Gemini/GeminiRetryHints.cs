using System.Globalization;
using System.Text.Json;

namespace Gme.Gemini;

/// <summary>Reads the wait a 429 asks for: RetryInfo.retryDelay first, then the Retry-After header.</summary>
internal static class GeminiRetryHints
{
    public static TimeSpan? Read(HttpResponseMessage response, string body)
    {
        if (FromRetryInfo(body) is { } fromBody)
        {
            return fromBody;
        }

        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>The <c>error.message</c> of a google.rpc.Status body, if the body is one.</summary>
    public static string? ErrorMessage(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("error", out var e) && e.TryGetProperty("message", out var m) ? m.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static TimeSpan? FromRetryInfo(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("error", out var error) || !error.TryGetProperty("details", out var details)
                || details.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var detail in details.EnumerateArray())
            {
                if (detail.TryGetProperty("@type", out var type) && type.GetString()?.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal) == true
                    && detail.TryGetProperty("retryDelay", out var delay) && ParseDuration(delay.GetString()) is { } parsed)
                {
                    return parsed;
                }
            }
        }
        catch (JsonException)
        {
            // Not a Status body (an HTML error page from a proxy, say): no hint.
        }

        return null;
    }

    /// <summary>A protobuf Duration in JSON: decimal seconds with an <c>s</c> suffix, e.g. <c>47s</c> or <c>0.5s</c>.</summary>
    internal static TimeSpan? ParseDuration(string? text) =>
        text is { Length: > 1 } && text.EndsWith('s')
            && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
}
