namespace Gme.Sources.Sample;

/// <summary>A named colour of the sample catalogue and the RGB value its photos are painted with.</summary>
public sealed record SampleColour(string Name, byte R, byte G, byte B);
