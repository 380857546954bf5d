using Gme.Tests.Support;
using MassTransit;

namespace Gme.Tests.Sagas;

/// <summary>
/// Counts messages whose whole receive pipeline (retries included) has finished, so tests wait on that, not on time.
/// A message the saga finally fails is still received (it moves to the error queue): it shows as PostReceive after a
/// ConsumeFault. Attempts that a retry recovers from report no ConsumeFault.
/// </summary>
internal sealed class ReceiveCounter : IReceiveObserver
{
    private int _handled;
    private int _faulted;

    public int Handled => Volatile.Read(ref _handled);
    public int Faulted => Volatile.Read(ref _faulted);

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        Interlocked.Increment(ref _handled);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class
    {
        Interlocked.Increment(ref _faulted);
        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Interlocked.Increment(ref _faulted);
        Interlocked.Increment(ref _handled);
        return Task.CompletedTask;
    }

    public Task WaitForHandledAsync(int count, CancellationToken cancellationToken) =>
        Eventually.TrueAsync(() => Task.FromResult(Handled >= count), $"{count} messages handled (saw {Handled})", cancellationToken);
}
