namespace Gme.Core.Sources;

/// <summary>A row that was not ingested, with the reason a person can act on.</summary>
public sealed record RowRejection(long RowNumber, string? ProductId, string Reason);
