namespace Gme.Sources.Sample;

/// <summary>The silhouette a sample photo draws; one per garment type so that photos differ by type.</summary>
public enum GarmentShape
{
    Dress,
    TShirt,
    Trousers,
    Skirt,
    Sweater,
    Jacket,
    Shorts,
    Shirt,
}
