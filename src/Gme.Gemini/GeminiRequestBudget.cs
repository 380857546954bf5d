using Microsoft.Extensions.Options;

namespace Gme.Gemini;

/// <summary>
/// One budget of Gemini requests per second for the whole process (all clients, shards and retries together), so
/// many shards polling or retrying at once cannot hammer the API. Requests are spaced evenly; a caller waits its turn.
/// </summary>
public sealed class GeminiRequestBudget(IOptions<GeminiOptions> options, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1.0 / options.Value.MaxRequestsPerSecond);
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public Task WaitAsync(CancellationToken ct)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var slot = _next > now ? _next : now;
            _next = slot + _interval;
            wait = slot - now;
        }

        return wait > TimeSpan.Zero ? Task.Delay(wait, clock, ct) : Task.CompletedTask;
    }
}
