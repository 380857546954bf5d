using Microsoft.Extensions.Options;

namespace Gme.Gemini;

/// <summary>
/// Admission of batch creates: at most N jobs in flight and at most M estimated tokens enqueued (less a safety
/// margin). A 429 on create halves both limits and blocks creates until the server's requested delay (or an
/// exponential backoff) has passed; each successful create raises them again, step by step, up to the configured values.
/// </summary>
public sealed class GeminiAdmission(IOptions<GeminiOptions> options, TimeProvider clock)
{
    private readonly GeminiOptions _options = options.Value;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _inFlight = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _maxJobs = options.Value.MaxJobsInFlight;
    private long _maxTokens = (long)(options.Value.MaxEnqueuedTokens * (1 - options.Value.SafetyMargin));
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;
    private int _consecutiveRateLimits;

    public int MaxJobs { get { lock (_gate) { return _maxJobs; } } }

    public long MaxTokens { get { lock (_gate) { return _maxTokens; } } }

    public int JobsInFlight { get { lock (_gate) { return _inFlight.Count; } } }

    public long TokensInFlight { get { lock (_gate) { return _inFlight.Values.Sum(); } } }

    /// <summary>The earliest time the next create may be sent (after a 429).</summary>
    public DateTimeOffset NotBefore { get { lock (_gate) { return _notBefore; } } }

    /// <summary>Waits until a job of this many tokens fits, then reserves it under <paramref name="key"/>.</summary>
    public async Task AcquireAsync(string key, long tokens, CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            TimeSpan wait;
            lock (_gate)
            {
                if (_inFlight.ContainsKey(key))
                {
                    return;
                }

                var now = clock.GetUtcNow();
                var used = _inFlight.Values.Sum();

                // A shard larger than the whole budget must still run, alone, or it would wait forever.
                if (now >= _notBefore && _inFlight.Count < _maxJobs && (used + tokens <= _maxTokens || _inFlight.Count == 0))
                {
                    _inFlight[key] = tokens;
                    return;
                }

                changed = _changed.Task;
                wait = now < _notBefore ? _notBefore - now : Timeout.InfiniteTimeSpan;
            }

            if (wait == Timeout.InfiniteTimeSpan)
            {
                await changed.WaitAsync(ct);
            }
            else
            {
                await Task.WhenAny(changed, Task.Delay(wait, clock, ct));
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>The reservation made under a shard id now belongs to the created batch.</summary>
    public void Rename(string key, string batchName)
    {
        lock (_gate)
        {
            if (_inFlight.Remove(key, out var tokens))
            {
                _inFlight[batchName] = tokens;
            }
        }
    }

    /// <summary>Records a job found running (after a restart) without waiting.</summary>
    public void Track(string batchName, long tokens)
    {
        lock (_gate)
        {
            _inFlight[batchName] = tokens;
        }
    }

    public void Release(string key)
    {
        lock (_gate)
        {
            if (_inFlight.Remove(key))
            {
                Pulse();
            }
        }
    }

    public void OnCreated()
    {
        lock (_gate)
        {
            _consecutiveRateLimits = 0;
            _maxJobs = Math.Min(_options.MaxJobsInFlight, _maxJobs + 1);
            var ceiling = (long)(_options.MaxEnqueuedTokens * (1 - _options.SafetyMargin));
            _maxTokens = Math.Min(ceiling, _maxTokens + Math.Max(1, ceiling / 10));
            Pulse();
        }
    }

    /// <summary>Lowers both limits and blocks creates for the server's delay or an exponential backoff; returns the wait.</summary>
    public TimeSpan OnRateLimited(TimeSpan? serverDelay)
    {
        lock (_gate)
        {
            _consecutiveRateLimits++;
            var backoff = _options.InitialBackoff * Math.Pow(2, Math.Min(_consecutiveRateLimits - 1, 16));
            var delay = serverDelay ?? (backoff > _options.MaxBackoff ? _options.MaxBackoff : backoff);
            var until = clock.GetUtcNow() + delay;
            if (until > _notBefore)
            {
                _notBefore = until;
            }

            _maxJobs = Math.Max(1, _maxJobs / 2);
            _maxTokens = Math.Max(1, _maxTokens / 2);
            return delay;
        }
    }

    private void Pulse()
    {
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }
}
