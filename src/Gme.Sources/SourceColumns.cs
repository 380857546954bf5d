using Gme.Core.Sources;

namespace Gme.Sources;

/// <summary>Helpers the file sources share.</summary>
internal static class SourceColumns
{
    /// <summary>
    /// Header names made usable as dictionary keys: trimmed, blanks named <c>column_N</c>, repeats suffixed
    /// <c>_2</c>, <c>_3</c>… so a sloppy export still loads instead of failing on a duplicate key.
    /// </summary>
    public static IReadOnlyList<string> UniqueNames(IReadOnlyList<string> raw)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = new List<string>(raw.Count);
        for (var i = 0; i < raw.Count; i++)
        {
            var name = raw[i].Trim();
            if (name.Length == 0)
            {
                name = $"column_{i + 1}";
            }

            var candidate = name;
            for (var n = 2; !seen.Add(candidate); n++)
            {
                candidate = $"{name}_{n}";
            }

            names.Add(candidate);
        }

        return names;
    }

    public static SourceRow ParseError(long rowNumber, string reason) =>
        new(rowNumber, new Dictionary<string, string?>(StringComparer.Ordinal) { [ProductMapper.ParseErrorField] = reason });
}
