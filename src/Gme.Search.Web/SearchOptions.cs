using System.ComponentModel.DataAnnotations;

namespace Gme.Search.Web;

/// <summary>Settings of the search service (section <c>Gme:Search</c>).</summary>
public sealed class SearchOptions
{
    public const string SectionName = "Gme:Search";
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>When set, /api/search requires it in the <c>X-Api-Key</c> header. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Largest uploaded query image.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxImageBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Longest text query, in characters.</summary>
    [Range(1, 10_000)]
    public int MaxQueryLength { get; set; } = 500;

    /// <summary>Most filter conditions per request.</summary>
    [Range(0, 100)]
    public int MaxFilters { get; set; } = 16;
}
