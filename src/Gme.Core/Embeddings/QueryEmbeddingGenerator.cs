using Microsoft.Extensions.AI;

namespace Gme.Core.Embeddings;

/// <summary>
/// A provider's query embedding as a Microsoft.Extensions.AI generator, so any .NET AI pipeline can use it: each input
/// is one synchronous model call giving one normalised vector. The provider owns the model, so disposing the
/// generator releases nothing; the model id and size are fixed by the index, so options asking for others are refused.
/// </summary>
public sealed class QueryEmbeddingGenerator<TInput>(EmbeddingGeneratorMetadata metadata, Func<TInput, CancellationToken, Task<float[]>> embed)
    : IEmbeddingGenerator<TInput, Embedding<float>>
{
    public EmbeddingGeneratorMetadata Metadata => metadata;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } dimensions && dimensions != metadata.DefaultModelDimensions)
        {
            throw new ArgumentException(
                $"{metadata.ProviderName} query vectors have {metadata.DefaultModelDimensions} dimensions, not {dimensions}: the index fixes the size.", nameof(options));
        }

        if (options?.ModelId is { } model && model != metadata.DefaultModelId)
        {
            throw new ArgumentException($"{metadata.ProviderName} embeds queries with {metadata.DefaultModelId}, not {model}.", nameof(options));
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            var vector = await embed(value, cancellationToken);
            embeddings.Add(new Embedding<float>(vector) { ModelId = metadata.DefaultModelId });
        }

        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
    }
}
