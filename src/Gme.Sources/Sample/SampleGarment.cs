namespace Gme.Sources.Sample;

/// <summary>A garment type of the sample catalogue with the H&amp;M-style group and department it belongs to.</summary>
public sealed record SampleGarment(string Name, GarmentShape Shape, string ProductGroup, string Department);
