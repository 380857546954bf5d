namespace Gme.Pipeline.Runs;

/// <summary>
/// The name a client gave an uploaded catalogue, as the runs API shows it back (in the run list and in a refusal's one
/// line). It never chooses where the file lands (the inbox names files by their content); it is cut to its last
/// segment (either separator: the client may be Windows) and to <see cref="MaxLength"/> characters, and control
/// characters (a percent-encoded newline in <c>filename*</c>) become '?', so a refusal stays one line.
/// </summary>
internal static class UploadName
{
    public const int MaxLength = 200;

    public static string Shown(string? given)
    {
        var name = given ?? "";
        name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        if (name.Length > MaxLength)
        {
            name = name[..MaxLength];
        }

        return string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                if (i + 1 < source.Length && char.IsSurrogatePair(c, source[i + 1]))
                {
                    span[i] = c;
                    span[++i] = source[i];
                    continue;
                }

                span[i] = char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' ? '?' : c;
            }
        });
    }
}
