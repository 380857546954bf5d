using Gme.Core.Storage;
using Gme.Core.Vectors;
using Gme.Tests.Support;
using Gme.VectorStores.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gme.Tests.Vectors;

public sealed class EmbeddedVectorStoreConformanceTests : VectorStoreConformanceTests
{
    private readonly TempDirectory _directory = new();
    private EmbeddedVectorStore? _store;

    protected override Task<IVectorStore> CreateStoreAsync()
    {
        _store = new EmbeddedVectorStore(new DataPaths(_directory.Path), NullLogger<EmbeddedVectorStore>.Instance);
        return Task.FromResult<IVectorStore>(_store);
    }

    protected override Task CleanupAsync(IReadOnlyList<string> collections)
    {
        _store?.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
