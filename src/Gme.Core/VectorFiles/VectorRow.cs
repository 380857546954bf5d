namespace Gme.Core.VectorFiles;

/// <summary>One product's vectors in a vector file, keyed by space name (e.g. <c>text</c>, <c>image</c>).</summary>
public sealed record VectorRow(string ProductId, Guid PointId, IReadOnlyDictionary<string, float[]> Vectors);
