using MassTransit;

namespace Gme.Pipeline.Tests.Support;

/// <summary>Counts messages being consumed and faults, so a test can wait until the bus has gone quiet.</summary>
internal sealed class InFlightObserver : IConsumeObserver
{
    private int _inFlight;
    private int _consumed;
    private int _faulted;

    public int InFlight => Volatile.Read(ref _inFlight);
    public int Consumed => Volatile.Read(ref _consumed);
    public int Faulted => Volatile.Read(ref _faulted);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class
    {
        Interlocked.Increment(ref _inFlight);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        Interlocked.Increment(ref _consumed);
        Interlocked.Decrement(ref _inFlight);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        Interlocked.Increment(ref _faulted);
        Interlocked.Decrement(ref _inFlight);
        return Task.CompletedTask;
    }

    /// <summary>Quiet = nothing in flight and nothing consumed during one settle window.</summary>
    public async Task WaitUntilQuietAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var before = Consumed + Faulted;
            await Task.Delay(500);
            if (InFlight == 0 && Consumed + Faulted == before)
            {
                return;
            }
        }

        throw new TimeoutException($"The bus did not go quiet within {timeout} ({InFlight} in flight).");
    }
}
