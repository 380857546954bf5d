namespace Gme.Core.Embeddings;

/// <summary>What a vector space embeds or accepts as a query.</summary>
[Flags]
public enum Modality
{
    None = 0,
    Text = 1,
    Image = 2,
}
