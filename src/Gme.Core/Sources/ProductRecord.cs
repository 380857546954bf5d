namespace Gme.Core.Sources;

/// <summary>A row that passed validation: what the pipeline embeds and what search returns as payload.</summary>
public sealed record ProductRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>The text that is embedded: name, type, colour, department and description joined.</summary>
    public required string Text { get; init; }

    /// <summary>An absolute http(s) URL or an absolute local file path.</summary>
    public required string ImageRef { get; init; }

    /// <summary>The row's fields under their source column names.</summary>
    public required IReadOnlyDictionary<string, string?> Payload { get; init; }
}
