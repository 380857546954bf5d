namespace Gme.Sources.Sample;

/// <summary>The fabric pattern drawn on a sample garment.</summary>
public enum SamplePattern
{
    Solid,
    Striped,
    Dotted,
    Checked,
}
