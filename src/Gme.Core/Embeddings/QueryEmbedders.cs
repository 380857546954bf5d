using Microsoft.Extensions.AI;

namespace Gme.Core.Embeddings;

/// <summary>
/// The query side of a provider: for each named vector space, the generators that embed a query into it. A space
/// accepts text when it has <see cref="Text"/>, images when it has <see cref="Image"/>; <see cref="TextAndImage"/>
/// embeds both into one vector (a fused space such as Gemini's <c>product</c>), where a split model has none and
/// each part goes to the space that accepts it.
/// </summary>
public sealed record QuerySpace(
    string Name,
    IEmbeddingGenerator<string, Embedding<float>>? Text = null,
    IEmbeddingGenerator<DataContent, Embedding<float>>? Image = null,
    IEmbeddingGenerator<IReadOnlyList<AIContent>, Embedding<float>>? TextAndImage = null)
{
    public Modality Accepts => (Text is null ? Modality.None : Modality.Text) | (Image is null ? Modality.None : Modality.Image);
}

/// <summary>The query generators of the configured provider, one <see cref="QuerySpace"/> per named vector.</summary>
public sealed record QueryEmbedders(string ProviderName, IReadOnlyList<QuerySpace> Spaces)
{
    public QuerySpace this[string space] =>
        Spaces.FirstOrDefault(s => s.Name == space)
        ?? throw new ArgumentException($"the '{ProviderName}' provider has no vector space '{space}'.", nameof(space));
}
