using System.Text.Json;
using Gme.Core.Errors;

namespace Gme.Pipeline.Evaluation;

/// <summary>
/// Reads a labelled query set. JSONL: one object a line, <c>{"query": "black dress", "judge": "product_type=Dress,
/// colour=Black"}</c> or <c>{"query": "...", "relevant": ["0108775015", ...]}</c>, with <c>"image": "photo.jpg"</c> in
/// place of or beside <c>query</c>. TSV (<c>.tsv</c>): <c>query TAB judgment-or-ids</c>, where a query of the form
/// <c>image:PATH</c> is a photo and a second column holding <c>=</c> is a judgment, otherwise comma-separated ids. Blank
/// lines and lines starting with <c>#</c> are skipped. A malformed line is bad input naming the file and line.
/// </summary>
public static class QuerySetReader
{
    public static async Task<IReadOnlyList<LabelledQuery>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new BadInputException(path, "the query set does not exist");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var tsv = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase);
        var queries = new List<LabelledQuery>();
        var lineNumber = 0;
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken))
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var where = $"{path}:{lineNumber}";
            try
            {
                var query = tsv ? ParseTsv(line, where) : ParseJson(trimmed, where);
                queries.Add(query with { ImagePath = Resolve(folder, query.ImagePath) });
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
            {
                throw new BadInputException(where, ex.Message, ex);
            }
        }

        return queries.Count > 0 ? queries : throw new BadInputException(path, "the query set holds no queries");
    }

    private static LabelledQuery ParseTsv(string line, string where)
    {
        var columns = line.Split('\t');
        if (columns.Length < 2)
        {
            throw new FormatException("expected 'query<TAB>judgment or ids'");
        }

        var query = columns[0].Trim();
        var image = query.StartsWith("image:", StringComparison.OrdinalIgnoreCase) ? query["image:".Length..].Trim() : null;
        var relevance = columns[1].Trim();
        return Complete(new LabelledQuery
        {
            Source = where,
            Text = image is null ? query : null,
            ImagePath = image,
            Judgment = relevance.Contains('=', StringComparison.Ordinal) ? AttributeJudgment.Parse(relevance) : null,
            RelevantIds = relevance.Contains('=', StringComparison.Ordinal)
                ? []
                : relevance.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        });
    }

    private static LabelledQuery ParseJson(string line, string where)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a line must be a JSON object");
        }

        return Complete(new LabelledQuery
        {
            Source = where,
            Text = String(root, "query"),
            ImagePath = String(root, "image"),
            Judgment = String(root, "judge") is { } judge ? AttributeJudgment.Parse(judge) : null,
            RelevantIds = root.TryGetProperty("relevant", out var ids) && ids.ValueKind == JsonValueKind.Array
                ? ids.EnumerateArray().Select(i => i.GetString() ?? throw new FormatException("'relevant' holds a non-string")).ToList()
                : [],
        });
    }

    private static LabelledQuery Complete(LabelledQuery query)
    {
        if (string.IsNullOrWhiteSpace(query.Text) && string.IsNullOrWhiteSpace(query.ImagePath))
        {
            throw new FormatException("a query needs text or an image");
        }

        if (query.Judgment is null && query.RelevantIds.Count == 0)
        {
            throw new FormatException("a query needs relevant ids or a judgment (key=value, ...)");
        }

        return query;
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : null;

    private static string? Resolve(string folder, string? image) =>
        image is null || Path.IsPathRooted(image) ? image : Path.GetFullPath(Path.Combine(folder, image));
}
