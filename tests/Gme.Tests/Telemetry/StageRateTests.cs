using System.Diagnostics.Metrics;
using Gme.Pipeline;
using Gme.Pipeline.Telemetry;

namespace Gme.Tests.Telemetry;

/// <summary>The per-stage rate gauges: what a counter recorded in the last 30 s, per second, published on each project's Meter.</summary>
public sealed class StageRateTests
{
    [Fact]
    public void The_rate_is_what_the_counter_recorded_in_the_window_per_second_and_falls_to_zero_after_it()
    {
        using var meter = new Meter("Gme.Tests.StageRate." + Guid.NewGuid().ToString("n"));
        var counter = meter.CreateCounter<long>("items");
        var clock = new ManualClock();
        using var rate = new StageRate(counter, clock);

        counter.Add(45);
        clock.Advance(TimeSpan.FromSeconds(20));
        counter.Add(15);
        Assert.Equal(60 / StageRate.Window.TotalSeconds, rate.PerSecond(), 6);

        clock.Advance(TimeSpan.FromSeconds(11)); // the first 45 are now older than the window
        Assert.Equal(15 / StageRate.Window.TotalSeconds, rate.PerSecond(), 6);
        clock.Advance(StageRate.Window);
        Assert.Equal(0, rate.PerSecond());
    }

    [Fact]
    public void Each_stage_publishes_its_rate_gauge_on_its_projects_meter()
    {
        // Touching the fields initialises the classes, as the first recorded item does in a service.
        Assert.NotNull(IngestDiagnostics.ProductsPerSecond);
        Assert.NotNull(EmbedderDiagnostics.ItemsPerSecond);
        Assert.NotNull(IndexerDiagnostics.PointsPerSecond);
        var published = new List<(string Meter, string Name)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument is ObservableGauge<double>)
                {
                    lock (published)
                    {
                        published.Add((instrument.Meter.Name, instrument.Name));
                    }
                }
            },
        };
        listener.Start();
        Assert.Contains(("Gme.Ingest", "gme.ingest.products.rate"), published);
        Assert.Contains(("Gme.Ingest", "gme.images.fetched.rate"), published);
        Assert.Contains(("Gme.Embedder", "gme.embeddings.items.rate"), published);
        Assert.Contains(("Gme.Indexer", "gme.index.points_upserted.rate"), published);
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
