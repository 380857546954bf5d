using System.Text.RegularExpressions;

namespace Gme.Sources.HuggingFace;

/// <summary>
/// A dataset on the Hub as written after <c>hf://</c>: <c>owner/name[@revision][:split]</c>, for example
/// <c>Qdrant/hm_ecommerce_products</c>, <c>Qdrant/hm_ecommerce_products:train</c> or
/// <c>Qdrant/hm_ecommerce_products@5f3c1a2:train</c>. The split defaults to <c>train</c>.
/// </summary>
public sealed partial record HuggingFaceDatasetRef(string Id, string? Revision, string Split)
{
    public const string Scheme = "hf://";

    public override string ToString() => $"{Id}{(Revision is null ? "" : "@" + Revision)}:{Split}";

    /// <summary>Parses with or without the <c>hf://</c> prefix; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static HuggingFaceDatasetRef Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? text[Scheme.Length..] : text;
        var match = Pattern().Match(value);
        if (!match.Success)
        {
            throw new FormatException(
                $"'{text}' is not a HuggingFace dataset: use hf://owner/name[@revision][:split], e.g. hf://Qdrant/hm_ecommerce_products");
        }

        return new HuggingFaceDatasetRef(
            match.Groups["id"].Value,
            match.Groups["rev"].Success ? match.Groups["rev"].Value : null,
            match.Groups["split"].Success ? match.Groups["split"].Value : "train");
    }

    [GeneratedRegex(@"^(?<id>[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95})(@(?<rev>[A-Za-z0-9._-]{1,100}))?(:(?<split>[A-Za-z0-9._-]{1,100}))?$")]
    private static partial Regex Pattern();
}
