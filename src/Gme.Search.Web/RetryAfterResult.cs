namespace Gme.Search.Web;

/// <summary>Adds a <c>Retry-After</c> header to a result (a 503 ProblemDetails when the model stays unavailable).</summary>
internal sealed class RetryAfterResult(IResult inner, int seconds) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return inner.ExecuteAsync(httpContext);
    }
}

internal static class RetryAfterResultExtensions
{
    public static IResult WithRetryAfter(this IResult result, int seconds) => new RetryAfterResult(result, seconds);
}
