using Gme.Core.Storage;
using Gme.Gemini;
using Gme.Tests.Ingest;
using Gme.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Gme.Tests.Gemini;

/// <summary>A fake server, a data folder and a provider wired to them, with every log line captured.</summary>
internal sealed class GeminiTestContext : IAsyncDisposable
{
    public const string CanaryKey = "AIzaSyCANARY0000000000000000000000CANARY";

    private readonly TempDirectory _dir = new();
    private readonly HttpClient _http = new();
    private readonly ILoggerFactory _loggers;

    private GeminiTestContext(FakeGeminiServer server, GeminiOptions options)
    {
        Server = server;
        Options = options;
        Logs = new CapturingLoggerProvider();
        _loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Paths = new DataPaths(_dir.Path);
        Paths.EnsureCreated();
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Client = new GeminiClient(_http, wrapped, new GeminiRequestBudget(wrapped, TimeProvider.System), TimeProvider.System, _loggers.CreateLogger<GeminiClient>());
        Provider = NewProvider();
    }

    public FakeGeminiServer Server { get; }
    public GeminiOptions Options { get; }
    public CapturingLoggerProvider Logs { get; }
    public DataPaths Paths { get; }
    public GeminiClient Client { get; }
    public GeminiEmbeddingProvider Provider { get; private set; }

    public static async Task<GeminiTestContext> StartAsync(FakeGeminiFaults? faults = null, Action<GeminiOptions>? configure = null)
    {
        var server = await FakeGeminiServer.StartAsync(CanaryKey, faults);
        var options = Defaults(server.BaseAddress);
        configure?.Invoke(options);
        return new GeminiTestContext(server, options);
    }

    /// <summary>Settings that keep tests fast: tiny vectors' sizes stay real, waits are milliseconds.</summary>
    public static GeminiOptions Defaults(Uri baseUrl) => new()
    {
        ApiKey = CanaryKey,
        BaseUrl = baseUrl,
        OutputDimensionality = 768,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(100),
        UploadChunkBytes = 4096,
        SafeRetryBaseDelay = TimeSpan.FromMilliseconds(5),
        MaxRequestsPerSecond = 1000,
    };

    /// <summary>Whether a remote display name belongs to the shard (names are gme-{identity}-{shardId}, then -a{N} from attempt 2).</summary>
    public static bool IsShard(string? displayName, string shardId) =>
        displayName is not null && displayName.StartsWith("gme-", StringComparison.Ordinal)
        && System.Text.RegularExpressions.Regex.IsMatch(displayName[("gme-".Length + 16)..], "^-" + System.Text.RegularExpressions.Regex.Escape(shardId) + @"(-a\d+)?$");

    /// <summary>A fresh provider over the same remote state and data folder: what a restarted process would build.</summary>
    public GeminiEmbeddingProvider NewProvider()
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        Provider = new GeminiEmbeddingProvider(Client, new GeminiAdmission(options, TimeProvider.System), new GeminiSpendLedger(Paths),
            Paths, options, TimeProvider.System, _loggers.CreateLogger<GeminiEmbeddingProvider>());
        return Provider;
    }

    /// <summary>Writes a shard of <paramref name="count"/> products with small JPEGs and returns its path.</summary>
    public async Task<(string ShardId, string Path)> WriteShardAsync(int count, string shardId = "shard-test")
    {
        var image = TestImages.Jpeg(32, 32);
        var inputs = new List<Gme.Core.Embeddings.EmbeddingInput>();
        for (var i = 0; i < count; i++)
        {
            var imagePath = System.IO.Path.Combine(Paths.Images, $"p{i}.jpg");
            await File.WriteAllBytesAsync(imagePath, image, TestContext.Current.CancellationToken);
            inputs.Add(new($"{shardId}-p{i:D4}", $"Product {i}: jersey top in colour {i % 7}", imagePath));
        }

        var path = System.IO.Path.Combine(Paths.Shards, shardId + ".jsonl");
        await Provider.WriteShardAsync(inputs, path, TestContext.Current.CancellationToken);
        return (shardId, path);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _http.Dispose();
        _loggers.Dispose();
        _dir.Dispose();
    }
}
