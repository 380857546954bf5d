using System.Diagnostics.Metrics;

namespace Gme.Pipeline.Telemetry;

/// <summary>
/// Items per second a counter recorded over the last <see cref="Window"/>, for an ObservableGauge beside the counter:
/// the dashboard shows a cumulative counter as a rising line, which hides whether a stage is moving now. It listens to
/// the counter itself (a MeterListener), so the stages record once, as they always have.
/// </summary>
internal sealed class StageRate : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _clock;
    private readonly Queue<(long Timestamp, long Count)> _recent = new();
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();

    public StageRate(Counter<long> counter, TimeProvider clock)
    {
        _clock = clock;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument, counter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Add(value));
        _listener.Start();
    }

    public void Add(long count)
    {
        lock (_gate)
        {
            _recent.Enqueue((_clock.GetTimestamp(), count));
            Prune();
        }
    }

    public double PerSecond()
    {
        lock (_gate)
        {
            Prune();
            return _recent.Sum(r => r.Count) / Window.TotalSeconds;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Prune()
    {
        var now = _clock.GetTimestamp();
        while (_recent.TryPeek(out var oldest) && _clock.GetElapsedTime(oldest.Timestamp, now) > Window)
        {
            _recent.Dequeue();
        }
    }
}
