using Gme.Core.Sagas;
using Gme.Core.Storage;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Sagas;

/// <summary>One "process": its own service provider and in-memory bus over the given ledger.</summary>
internal sealed class SagaTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IBusControl _bus;

    private SagaTestHost(ServiceProvider provider, IBusControl bus, ReceiveCounter receives)
    {
        _provider = provider;
        _bus = bus;
        Receives = receives;
    }

    public ReceiveCounter Receives { get; }

    public static async Task<SagaTestHost> StartAsync(DataPaths paths, CancellationToken cancellationToken, Action<IRetryConfigurator>? retry = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        CounterLedgerDbContext.AddTo(services, paths);
        services.AddMassTransit(x =>
        {
            // 20 at once so that concurrent events for one instance really race for its row.
            x.AddSagaStateMachine<CounterStateMachine, CounterState>()
                .Endpoint(e => e.ConcurrentMessageLimit = 20)
                .LedgerRepository(retry);
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });

        var provider = services.BuildServiceProvider(validateScopes: true);
        var bus = provider.GetRequiredService<IBusControl>();
        var receives = new ReceiveCounter();
        bus.ConnectReceiveObserver(receives);
        await bus.StartAsync(cancellationToken);
        return new SagaTestHost(provider, bus, receives);
    }

    /// <summary>Counts what the sagas of this host publish from now on.</summary>
    public PublishCounter<T> CountPublished<T>()
        where T : class
    {
        var counter = new PublishCounter<T>();
        _bus.ConnectPublishObserver(counter);
        return counter;
    }

    public T GetRequiredService<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    /// <summary>Publishes and waits until the bus has finished handling everything published so far.</summary>
    public async Task PublishAndWaitAsync<T>(T message, CancellationToken cancellationToken)
        where T : class
    {
        var expected = Receives.Handled + 1;
        await _bus.Publish(message, cancellationToken);
        await Receives.WaitForHandledAsync(expected, cancellationToken);
    }

    public Task PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class => _bus.Publish(message, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _bus.StopAsync(CancellationToken.None);
        await _provider.DisposeAsync();
    }
}
