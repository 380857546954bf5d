using Gme.Core.Vectors;

namespace Gme.Pipeline.Evaluation;

/// <summary>
/// A product is relevant when every named payload field equals one of its values exactly (as a keyword filter would):
/// <c>product_type=Dress, perceived_colour_master=Black|Grey</c>. Keys are AND-ed, <c>|</c>-separated values OR-ed.
/// </summary>
public sealed record AttributeJudgment(IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Conditions)
{
    /// <summary>Parses <c>key=value[|value], key=value</c>; throws <see cref="FormatException"/> naming the part.</summary>
    public static AttributeJudgment Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var conditions = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq > 0 ? part[..eq].Trim() : "";
            var values = eq > 0
                ? part[(eq + 1)..].Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : [];
            if (key.Length == 0 || values.Length == 0)
            {
                throw new FormatException($"judgment '{part}' is not key=value");
            }

            conditions.Add(new(key, values));
        }

        return conditions.Count > 0 ? new AttributeJudgment(conditions) : throw new FormatException("empty judgment");
    }

    public bool Matches(IReadOnlyDictionary<string, string?> payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        foreach (var (key, values) in Conditions)
        {
            if (!payload.TryGetValue(key, out var value) || value is null
                || !values.Any(v => string.Equals(v, value, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The same condition as a store filter, so the relevant products can be counted (recall).</summary>
    public PayloadFilter ToFilter() =>
        new(Conditions.SelectMany(c => c.Value.Select(v => new KeyValuePair<string, string>(c.Key, v))).ToList());

    public override string ToString() =>
        string.Join(", ", Conditions.Select(c => $"{c.Key}={string.Join('|', c.Value)}"));
}
