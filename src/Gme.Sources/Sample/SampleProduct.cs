namespace Gme.Sources.Sample;

/// <summary>One product of the synthetic catalogue; everything about it follows from its index.</summary>
public sealed record SampleProduct(
    int Index,
    string Id,
    string Name,
    SampleGarment Garment,
    SampleColour Colour,
    SamplePattern Pattern,
    string Description,
    string ImageUrl)
{
    /// <summary>The row as a catalogue file would hold it, under the H&amp;M column names.</summary>
    public IReadOnlyDictionary<string, string?> ToFields() => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["product_id"] = Id,
        ["name"] = Name,
        ["product_type"] = Garment.Name,
        ["product_group"] = Garment.ProductGroup,
        ["colour"] = Colour.Name,
        ["department"] = Garment.Department,
        ["description"] = Description,
        ["image_url"] = ImageUrl,
    };
}
