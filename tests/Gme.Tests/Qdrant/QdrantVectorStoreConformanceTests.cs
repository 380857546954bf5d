using Gme.Core.Vectors;
using Gme.Tests.Vectors;
using Gme.VectorStores.Qdrant;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Qdrant.Client.Grpc;

namespace Gme.Tests.Qdrant;

/// <summary>
/// The conformance suite against a real Qdrant server, when <c>QDRANT_URL</c> names one (e.g. http://127.0.0.1:6334,
/// with <c>QDRANT_API_KEY</c> if it needs a key). No Qdrant server can run on the build machine, so without it every
/// test skips with the reason below; see README "Qdrant" for running it against Qdrant in Docker.
/// </summary>
public sealed class QdrantVectorStoreConformanceTests : VectorStoreConformanceTests
{
    public const string SkipReason = "QDRANT_URL is not set: the Qdrant conformance suite needs a Qdrant server (see README, Qdrant).";

    private QdrantGrpcClient? _client;

    protected override Task<IVectorStore> CreateStoreAsync()
    {
        var url = Environment.GetEnvironmentVariable("QDRANT_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            Assert.Skip(SkipReason);
        }

        var options = new QdrantOptions { Url = url, ApiKey = Environment.GetEnvironmentVariable("QDRANT_API_KEY") };
        var connection = QdrantConnection.Resolve(options, null);
        _client = new QdrantGrpcClient(connection.Endpoint, connection.ApiKey);
        var store = new QdrantVectorStore(_client, Options.Create(options), TimeProvider.System, NullLogger<QdrantVectorStore>.Instance);
        return Task.FromResult<IVectorStore>(store);
    }

    protected override async Task CleanupAsync(IReadOnlyList<string> collections)
    {
        if (_client is null)
        {
            return;
        }

        // Names are aliases or collections; aliases first, so the collections they pointed at can go.
        var aliases = await _client.Collections.ListAliasesAsync(new ListAliasesRequest());
        foreach (var alias in aliases.Aliases.Where(a => collections.Contains(a.AliasName)))
        {
            var request = new ChangeAliases();
            request.Actions.Add(new AliasOperations { DeleteAlias = new DeleteAlias { AliasName = alias.AliasName } });
            await _client.Collections.UpdateAliasesAsync(request);
        }

        foreach (var collection in collections)
        {
            var exists = await _client.Collections.CollectionExistsAsync(new CollectionExistsRequest { CollectionName = collection });
            if (exists.Result.Exists)
            {
                await _client.Collections.DeleteAsync(new DeleteCollection { CollectionName = collection });
            }
        }

        _client.Dispose();
    }
}
