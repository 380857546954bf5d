using System.Security.Cryptography;
using System.Text;

namespace Gme.Pipeline.Runs;

/// <summary>
/// Refuses a request without the expected <c>X-Api-Key</c> (401 ProblemDetails); lets everything through when the
/// service has no key. The comparison takes the same time whatever the given key is.
/// </summary>
internal sealed partial class ApiKeyFilter(Func<IServiceProvider, string?> expectedKey)
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = expectedKey(http.RequestServices);
        if (!string.IsNullOrEmpty(expected))
        {
            var given = http.Request.Headers[RunsApiOptions.ApiKeyHeader].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            {
                Rejected(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<ApiKeyFilter>(), http.Request.Path, http.Connection.RemoteIpAddress?.ToString());
                return Results.Problem(detail: $"a valid {RunsApiOptions.ApiKeyHeader} header is required.", statusCode: StatusCodes.Status401Unauthorized);
            }
        }

        return await next(context);
    }

    [LoggerMessage(EventId = 3900, Level = LogLevel.Warning, Message = "Request to {Path} refused: missing or wrong API key (from {Remote})")]
    private static partial void Rejected(ILogger logger, string path, string? remote);
}
