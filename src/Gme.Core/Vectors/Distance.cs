namespace Gme.Core.Vectors;

/// <summary>Similarity measure of a named vector.</summary>
public enum Distance
{
    Cosine,
    Dot,
    Euclid,
}
