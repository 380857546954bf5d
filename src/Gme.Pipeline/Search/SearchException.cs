namespace Gme.Pipeline.Search;

/// <summary>A search that cannot be answered for a reason the caller can fix (unknown product, empty query, ...).</summary>
public sealed class SearchException(string message) : Exception(message);
