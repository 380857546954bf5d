namespace Gme.Onnx;

/// <summary>One line of a local results file: the vectors per space, or why the product could not be embedded.</summary>
internal sealed record LocalResultLine(string Key, Dictionary<string, float[]>? Vectors, string? Error);
