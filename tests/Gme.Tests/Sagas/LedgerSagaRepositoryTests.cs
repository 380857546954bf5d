using Gme.Core.Sagas;
using MassTransit;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Sagas;

public sealed class LedgerSagaRepositoryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InitialEvent_NewInstance_InsertsRowWithTypedColumns()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        await using var host = await SagaTestHost.StartAsync(ledger.Paths, Token);
        var id = Guid.NewGuid();

        await host.PublishAndWaitAsync(new CounterStarted(id, "alpha"), Token);

        var row = await ledger.FindAsync(id, Token);
        Assert.NotNull(row);
        Assert.Equal(1, row.Version);
        Assert.Equal(id, row.CorrelationId);
        Assert.Equal("Active", row.CurrentState);
        Assert.Equal("alpha", row.Name);
        Assert.Equal(0, row.Count);

        var loaded = await host.GetRequiredService<ILoadSagaRepository<CounterState>>().Load(id);
        Assert.NotNull(loaded);
        Assert.Equal("Active", loaded.CurrentState);
        Assert.Equal(1, loaded.Version);
        Assert.Equal(0, host.Receives.Faulted);
    }

    [Fact]
    public async Task InsertOnInitialEvent_SameIdTwice_KeepsOneRow()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        await using var host = await SagaTestHost.StartAsync(ledger.Paths, Token);
        var id = Guid.NewGuid();

        await host.PublishAndWaitAsync(new CounterOpened(id, "first"), Token);
        await host.PublishAndWaitAsync(new CounterOpened(id, "second"), Token);

        var row = await ledger.FindAsync(id, Token);
        Assert.NotNull(row);
        Assert.Equal(1, await ledger.CountAsync(Token));
        Assert.Equal("Active", row.CurrentState);
        Assert.Equal("first", row.Name);
        Assert.Equal(0, host.Receives.Faulted);
    }

    [Fact]
    public async Task LaterEvents_ExistingInstance_UpdateStateAndVersion()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        await using var host = await SagaTestHost.StartAsync(ledger.Paths, Token);
        var id = Guid.NewGuid();

        await host.PublishAndWaitAsync(new CounterStarted(id, "alpha"), Token);
        await host.PublishAndWaitAsync(new CounterIncremented(id), Token);
        await host.PublishAndWaitAsync(new CounterIncremented(id), Token);

        var row = await ledger.FindAsync(id, Token);
        Assert.NotNull(row);
        Assert.Equal(3, row.Version);
        Assert.Equal(2, row.Count);
    }

    [Fact]
    public async Task SecondHost_SameLedger_ResumesFromPersistedState()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        var id = Guid.NewGuid();
        await using (var first = await SagaTestHost.StartAsync(ledger.Paths, Token))
        {
            await first.PublishAndWaitAsync(new CounterStarted(id, "alpha"), Token);
            await first.PublishAndWaitAsync(new CounterIncremented(id), Token);
        }

        await using var second = await SagaTestHost.StartAsync(ledger.Paths, Token);
        await second.PublishAndWaitAsync(new CounterIncremented(id), Token);

        var loaded = await second.GetRequiredService<ILoadSagaRepository<CounterState>>().Load(id);
        Assert.NotNull(loaded);
        Assert.Equal(2, loaded.Count);
        Assert.Equal("Active", loaded.CurrentState);
        Assert.Equal(3, loaded.Version);
    }

    [Fact]
    public async Task ConcurrentEvents_OneInstance_NoLostUpdate()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        await using var host = await SagaTestHost.StartAsync(ledger.Paths, Token);
        var id = Guid.NewGuid();
        await host.PublishAndWaitAsync(new CounterStarted(id, "alpha"), Token);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.PublishAsync(new CounterIncremented(id), Token)));
        await host.Receives.WaitForHandledAsync(21, Token);

        var row = await ledger.FindAsync(id, Token);
        Assert.NotNull(row);
        Assert.Equal(0, host.Receives.Faulted);
        Assert.Equal(20, row.Count);
        Assert.Equal(21, row.Version);
    }

    [Fact]
    public async Task ConcurrentEvents_AttemptThatLostTheRace_PublishedNothing()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        await using var host = await SagaTestHost.StartAsync(ledger.Paths, Token);
        var changes = host.CountPublished<CounterChanged>();
        var id = Guid.NewGuid();
        await host.PublishAndWaitAsync(new CounterStarted(id, "alpha"), Token);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.PublishAsync(new CounterIncremented(id), Token)));
        await host.Receives.WaitForHandledAsync(21, Token);

        // Every increment that raced was retried; only the attempt whose update was saved may have published.
        var row = await ledger.FindAsync(id, Token);
        Assert.NotNull(row);
        Assert.True(row.Version > 1, "no increment was saved");
        Assert.Equal(20, row.Count);
        Assert.Equal(20, changes.Published);
    }

    [Fact]
    public async Task ConcurrentEvents_WithoutRetry_EveryAcknowledgedIncrementIsKept()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        await using var host = await SagaTestHost.StartAsync(ledger.Paths, Token, retry: r => r.None());
        var id = Guid.NewGuid();
        await host.PublishAndWaitAsync(new CounterStarted(id, "alpha"), Token);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.PublishAsync(new CounterIncremented(id), Token)));
        await host.Receives.WaitForHandledAsync(21, Token);

        // Without retry a lost race faults the message instead of overwriting the winner: the count is exactly the
        // number of increments that succeeded, never fewer.
        var row = await ledger.FindAsync(id, Token);
        Assert.NotNull(row);
        Assert.True(host.Receives.Faulted > 0, "the increments never raced, so this test proves nothing");
        var succeeded = 20 - host.Receives.Faulted;
        Assert.Equal(succeeded, row.Count);
        Assert.Equal(succeeded + 1, row.Version);
    }

    [Fact]
    public async Task FinalEvent_SetCompletedWhenFinalized_DeletesRow()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        await using var host = await SagaTestHost.StartAsync(ledger.Paths, Token);
        var id = Guid.NewGuid();
        await host.PublishAndWaitAsync(new CounterStarted(id, "alpha"), Token);
        Assert.NotNull(await ledger.FindAsync(id, Token));

        await host.PublishAndWaitAsync(new CounterFinished(id), Token);

        Assert.Null(await ledger.FindAsync(id, Token));
        Assert.Equal(0, host.Receives.Faulted);
    }

    [Fact]
    public async Task EventForMissingInstance_PolicyDiscards_CreatesNoRow()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        await using var host = await SagaTestHost.StartAsync(ledger.Paths, Token);

        await host.PublishAndWaitAsync(new CounterIncremented(Guid.NewGuid()), Token);
        await host.PublishAndWaitAsync(new CounterIncrementedByName("nobody"), Token);

        Assert.Equal(0, await ledger.CountAsync(Token));
        Assert.Equal(0, host.Receives.Faulted);
    }

    [Fact]
    public async Task QueryCorrelatedEvent_TwoInstances_UpdatesOnlyTheMatch()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        await using var host = await SagaTestHost.StartAsync(ledger.Paths, Token);
        var alpha = Guid.NewGuid();
        var beta = Guid.NewGuid();
        await host.PublishAndWaitAsync(new CounterStarted(alpha, "alpha"), Token);
        await host.PublishAndWaitAsync(new CounterStarted(beta, "beta"), Token);

        await host.PublishAndWaitAsync(new CounterIncrementedByName("beta"), Token);

        var load = host.GetRequiredService<ILoadSagaRepository<CounterState>>();
        Assert.Equal(1, (await load.Load(beta))?.Count);
        Assert.Equal(0, (await load.Load(alpha))?.Count);
        var found = await host.GetRequiredService<IQuerySagaRepository<CounterState>>()
            .Find(new SagaQuery<CounterState>(x => x.Name == "beta"));
        Assert.Equal([beta], found);
        Assert.Equal(0, host.Receives.Faulted);
    }

    [Fact]
    public async Task RepositoryProvider_SagaAddedWithoutRepository_ReadsTheLedger()
    {
        await using var ledger = await TempLedger.CreateAsync(Token);
        var id = Guid.NewGuid();
        await using (var host = await SagaTestHost.StartAsync(ledger.Paths, Token))
        {
            await host.PublishAndWaitAsync(new CounterStarted(id, "alpha"), Token);
        }

        var services = new ServiceCollection();
        services.AddLogging();
        CounterLedgerDbContext.AddTo(services, ledger.Paths);
        services.AddMassTransit(x =>
        {
            x.SetLedgerSagaRepositoryProvider();
            x.AddSagaStateMachine<CounterStateMachine, CounterState>();
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var loaded = await provider.GetRequiredService<ILoadSagaRepository<CounterState>>().Load(id);

        Assert.Equal("alpha", loaded?.Name);
    }
}
