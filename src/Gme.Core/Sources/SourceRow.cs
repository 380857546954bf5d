namespace Gme.Core.Sources;

/// <summary>One raw row of a dataset: its 1-based position and its fields by column name, as read.</summary>
public sealed record SourceRow(long RowNumber, IReadOnlyDictionary<string, string?> Fields);
