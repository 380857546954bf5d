using Gme.Core;
using Gme.Core.Ledger;
using Gme.Core.Messaging;
using Gme.Core.Messaging.Outbox;
using Gme.Core.Storage;
using Gme.Tests.Sagas;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gme.Tests.Messaging;

/// <summary>
/// A process as the embedded profile builds it (<c>AddGmeBus</c>: in-memory transport, inbox filter, retry, outbox
/// sweeper) over a real SQLite ledger with its migrations, plus a consumer that counts what it handles.
/// </summary>
internal sealed class MessagingTestHost : IAsyncDisposable
{
    private MessagingTestHost(string root, IHost host, ReceiveCounter receives)
    {
        Root = root;
        Host = host;
        Receives = receives;
    }

    /// <summary>Messages whose whole receive pipeline has finished, whether the consumer ran or the inbox skipped it.</summary>
    public ReceiveCounter Receives { get; }

    public string Root { get; }
    public IHost Host { get; }
    public IBus Bus => Host.Services.GetRequiredService<IBus>();
    public OutboxSweeper Sweeper => Host.Services.GetServices<IHostedService>().OfType<OutboxSweeper>().Single();
    public CountingConsumer.Counts Counts => Host.Services.GetRequiredService<CountingConsumer.Counts>();
    public OutboxProbeConsumer.State Probe => Host.Services.GetRequiredService<OutboxProbeConsumer.State>();

    public static async Task<MessagingTestHost> StartAsync(Action<MessagingOptions>? messaging = null)
    {
        var root = Path.Combine(Path.GetTempPath(), $"gme-msg-{Guid.NewGuid():N}");
        var paths = new DataPaths(root);
        paths.EnsureCreated();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(paths);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSqliteLedger(paths);
        builder.Services.AddSingleton<CountingConsumer.Counts>();
        builder.Services.AddSingleton<OutboxProbeConsumer.State>();
        builder.Services.AddBusContribution(x =>
        {
            x.AddConsumer<CountingConsumer>();
            x.AddConsumer<OutboxProbeConsumer>();
        });
        builder.Services.AddGmeBus(GmeProfile.Embedded);
        builder.Services.Configure<MessagingOptions>(o =>
        {
            o.SweepInterval = TimeSpan.FromHours(1); // the tests sweep by hand
            messaging?.Invoke(o);
        });
        var host = builder.Build();
        await using (var db = host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        var receives = new ReceiveCounter();
        host.Services.GetRequiredService<IBusControl>().ConnectReceiveObserver(receives);
        await host.StartAsync();
        return new MessagingTestHost(root, host, receives);
    }

    public LedgerDbContext Db() => Host.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext();

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Counts the RunValidated messages it handles, by message id.</summary>
internal sealed class CountingConsumer(CountingConsumer.Counts counts) : IConsumer<Gme.Contracts.RunValidated>
{
    public Task Consume(ConsumeContext<Gme.Contracts.RunValidated> context)
    {
        counts.Add(context.MessageId!.Value);
        return Task.CompletedTask;
    }

    internal sealed class Counts
    {
        private readonly List<Guid> _handled = [];

        public IReadOnlyList<Guid> Handled
        {
            get
            {
                lock (_handled)
                {
                    return [.. _handled];
                }
            }
        }

        public void Add(Guid messageId)
        {
            lock (_handled)
            {
                _handled.Add(messageId);
            }
        }
    }
}

/// <summary>Asks <see cref="OutboxProbeConsumer"/> to change the ledger and publish through the unit of work.</summary>
internal sealed record OutboxProbe(Guid RunId, bool FailFirstCommit, bool ThrowAfterPublish);

/// <summary>
/// A consumer as the stages are written: it changes the ledger (adds a run) and publishes RunValidated through the
/// scoped unit of work, and leaves commit and delivery to the filter. It can make its first commit fail (a duplicate
/// rejection row) or throw after publishing.
/// </summary>
internal sealed class OutboxProbeConsumer(LedgerUnitOfWork unitOfWork, OutboxProbeConsumer.State state) : IConsumer<OutboxProbe>
{
    public Task Consume(ConsumeContext<OutboxProbe> context)
    {
        var attempt = state.Attempt();
        var probe = context.Message;
        unitOfWork.Db.Runs.Add(Gme.Tests.Stages.LedgerSeed.Run(probe.RunId));
        unitOfWork.Publish(new Gme.Contracts.RunValidated { RunId = probe.RunId, Passed = true });
        if (probe.FailFirstCommit && attempt == 1)
        {
            unitOfWork.Db.RejectedRows.Add(new RejectedRowEntity { RunId = probe.RunId, RowNumber = 1, Reason = "duplicate" });
        }

        return probe.ThrowAfterPublish
            ? throw new Gme.Core.Errors.BadInputException("probe", "told to fail after publishing")
            : Task.CompletedTask;
    }

    internal sealed class State
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public int Attempt() => Interlocked.Increment(ref _attempts);
    }
}
