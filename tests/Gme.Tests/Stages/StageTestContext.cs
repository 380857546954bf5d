using Gme.Core;
using Gme.Core.Embeddings;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Core.Messaging;
using Gme.Core.Storage;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

/// <summary>
/// One stage (or a few) on MassTransit's test harness, with a real SQLite ledger and data directory in a temp folder.
/// </summary>
internal sealed class StageTestContext : IAsyncDisposable
{
    private StageTestContext(string root, DataPaths paths, ServiceProvider services, FakeEmbeddingProvider provider)
    {
        Root = root;
        Paths = paths;
        Services = services;
        Provider = provider;
        Harness = services.GetRequiredService<ITestHarness>();
    }

    public string Root { get; }
    public DataPaths Paths { get; }
    public ServiceProvider Services { get; }
    public FakeEmbeddingProvider Provider { get; }
    public ITestHarness Harness { get; }

    public static async Task<StageTestContext> CreateAsync(Action<IBusRegistrationConfigurator> consumers, Action<IServiceCollection>? configure = null)
    {
        var root = Path.Combine(Path.GetTempPath(), $"gme-stage-{Guid.NewGuid():N}");
        var paths = new DataPaths(root);
        paths.EnsureCreated();
        var provider = new FakeEmbeddingProvider();
        var services = new ServiceCollection();
        services.AddLogging();
        // A host always has configuration; options that bind a section (the lexical encoder's) need it.
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(paths);
        services.AddSingleton(TimeProvider.System);
        services.AddSqliteLedger(paths);
        services.AddSingleton<IEmbeddingProvider>(provider);
        services.AddSingleton(provider.Queries);
        services.AddOptions<GmeOptions>().Configure(o => o.ChunkSize = 4);
        services.AddOptions<Gme.Pipeline.EmbedderOptions>().Configure(o => o.ShardMaxItems = 4);
        services.AddOptions<Gme.Pipeline.IngestOptions>();
        services.AddOptions<Gme.Pipeline.IndexerOptions>();
        services.AddSingleton<IImageCache, ImageCache>();
        services.AddSingleton<Gme.Pipeline.Stages.ShardRequestFiles>();
        configure?.Invoke(services);
        services.AddMassTransitTestHarness(x =>
        {
            // The harness treats a quiet bus as "done"; on a loaded 2-core machine a stage can take longer than the
            // default second between messages, so give it room (a negative check waits this long, once).
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(5));
            x.AddLedgerUnitOfWork();
            consumers(x);
        });

        var sp = services.BuildServiceProvider();
        await using (var db = sp.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        var context = new StageTestContext(root, paths, sp, provider);
        await context.Harness.Start();
        return context;
    }

    public LedgerDbContext Db() => Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContext();

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await Services.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
