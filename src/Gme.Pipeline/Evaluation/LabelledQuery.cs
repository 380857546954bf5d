namespace Gme.Pipeline.Evaluation;

/// <summary>
/// One labelled query: text or a photo (or both), judged either by the ids of its relevant products or by attribute
/// judgments on the payload (<c>product_type=Dress, colour=Black</c>). Attribute judgments keep a query set free of a
/// catalogue's ids, so a set can be committed without the catalogue's data.
/// </summary>
public sealed record LabelledQuery
{
    /// <summary>Where the query was read (file and line), for messages.</summary>
    public required string Source { get; init; }

    public string? Text { get; init; }

    /// <summary>A query photo; relative paths are resolved against the query file's folder.</summary>
    public string? ImagePath { get; init; }

    /// <summary>Relevant product ids; empty when <see cref="Judgment"/> decides.</summary>
    public IReadOnlyList<string> RelevantIds { get; init; } = [];

    public AttributeJudgment? Judgment { get; init; }

    /// <summary>A label for tables: the text, else the photo's file name.</summary>
    public string Label => Text ?? Path.GetFileName(ImagePath) ?? Source;
}
