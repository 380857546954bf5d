using Gme.Core.Storage;
using Gme.Onnx;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gme.Tests.Embedder;

/// <summary>One provider and data directory per test class: each model loads once, on first use.</summary>
public sealed class LocalOnnxProviderFixture : IDisposable
{
    public LocalOnnxProviderFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "gme-onnx-tests-" + Guid.NewGuid().ToString("N"));
        Paths = new DataPaths(Root);
        Paths.EnsureCreated();
        Provider = new LocalOnnxProvider(Paths, Options.Create(new LocalModelOptions()), NullLogger<LocalOnnxProvider>.Instance);
    }

    public string Root { get; }

    public DataPaths Paths { get; }

    public LocalOnnxProvider Provider { get; }

    public void Dispose()
    {
        Provider.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
