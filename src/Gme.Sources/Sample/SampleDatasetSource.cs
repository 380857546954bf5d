using System.Runtime.CompilerServices;
using Gme.Core.Sources;

namespace Gme.Sources.Sample;

/// <summary>The synthetic catalogue as a dataset source; row N is product N.</summary>
public sealed class SampleDatasetSource : IDatasetSource
{
    private readonly int _count;

    public SampleDatasetSource(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, SampleCatalogue.MaxProductCount);
        _count = count;
    }

    public string Description => $"sample catalogue of {_count} products";

    /// <summary>Sample images are URLs, so there is nothing to resolve against.</summary>
    public string? BaseDirectory => null;

    public async IAsyncEnumerable<SourceRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var product in SampleCatalogue.Products(_count))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new SourceRow(product.Index, product.ToFields());
        }

        await Task.CompletedTask;
    }
}
