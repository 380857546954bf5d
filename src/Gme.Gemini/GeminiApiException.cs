using System.Net;

namespace Gme.Gemini;

/// <summary>A Gemini call that failed; the message never holds the API key.</summary>
public sealed class GeminiApiException(HttpStatusCode? statusCode, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>The wait the server asked for (RetryInfo.retryDelay or Retry-After), if any.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsRateLimited => StatusCode == HttpStatusCode.TooManyRequests;

    /// <summary>Worth trying again later: quota, server or network trouble, as opposed to a bad request.</summary>
    public bool IsTransient => StatusCode is null or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
        or >= HttpStatusCode.InternalServerError;
}
