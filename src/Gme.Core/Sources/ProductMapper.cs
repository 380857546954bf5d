using System.Globalization;
using System.Text;
using Gme.Core.Storage;

namespace Gme.Core.Sources;

/// <summary>
/// Turns raw rows into products. The H&amp;M column names (both the Kaggle CSV and the
/// Qdrant/hm_ecommerce_products names) work without a mapping; other names come through
/// <see cref="SourceSpec.ColumnMap"/>. Every refusal names the reason, so the ledger can explain it.
/// Local image paths must stay inside the images root (the catalogue's folder unless one is given): a catalogue is
/// data, and a row naming <c>/etc/passwd</c>, <c>../../secret.jpg</c> or a link out of the folder is refused here.
/// </summary>
public sealed class ProductMapper
{
    /// <summary>Set by a source on a row it could not parse; the value is the reason.</summary>
    public const string ParseErrorField = "__parse_error";

    public const int MaxIdLength = 128;
    public const int MaxFieldLength = 16 * 1024;
    public const int MaxImageRefLength = 4096;

    /// <summary>Precomputed embedding columns of the HuggingFace dataset: large, and not ours.</summary>
    private static readonly HashSet<string> s_droppedColumns = new(StringComparer.OrdinalIgnoreCase)
    {
        "dense_embedding", "sparse_indices", "sparse_values",
    };

    private static readonly Dictionary<string, string[]> s_defaultColumns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ["product_id", "article_id", "id", "sku"],
        ["name"] = ["name", "prod_name", "title", "product_name"],
        ["product_type"] = ["product_type", "product_type_name"],
        ["product_group"] = ["product_group", "product_group_name"],
        ["colour"] = ["colour", "colour_group_name", "color"],
        ["department"] = ["department", "department_name"],
        ["description"] = ["description", "detail_desc"],
        ["image"] = ["image_file", "image_url", "image", "image_path"],
    };

    private readonly IReadOnlyDictionary<string, string> _columnMap;
    private readonly string? _baseDirectory;
    private readonly string? _imagesRoot;

    /// <param name="columnMap">Target field name to source column name.</param>
    /// <param name="baseDirectory">The catalogue file's folder: relative image paths are resolved against it.</param>
    /// <param name="imagesRoot">The folder local images must lie in; the catalogue's folder when null.</param>
    public ProductMapper(IReadOnlyDictionary<string, string>? columnMap, string? baseDirectory, string? imagesRoot = null)
    {
        _columnMap = columnMap ?? new Dictionary<string, string>();
        _baseDirectory = baseDirectory is null ? null : Path.GetFullPath(baseDirectory);
        _imagesRoot = imagesRoot is not null ? Path.GetFullPath(imagesRoot) : _baseDirectory;
    }

    /// <summary>Maps one row; exactly one of the two results is non-null.</summary>
    public (ProductRecord? Product, RowRejection? Rejection) Map(SourceRow row)
    {
        if (row.Fields.TryGetValue(ParseErrorField, out var parseError))
        {
            return (null, new RowRejection(row.RowNumber, null, $"unreadable row: {parseError}"));
        }

        var rawId = Get(row, "id");
        if (string.IsNullOrWhiteSpace(rawId))
        {
            return Reject(row, null, "missing product id");
        }

        var id = rawId.Trim().Normalize(NormalizationForm.FormC);
        if (id.Length > MaxIdLength)
        {
            return Reject(row, Truncate(id), $"product id longer than {MaxIdLength} characters");
        }

        if (HasBadCharacters(id))
        {
            return Reject(row, Truncate(id), "product id holds control characters or invalid UTF-16");
        }

        if (id.Contains('\uFFFD', StringComparison.Ordinal))
        {
            // U+FFFD is what a lenient decoder leaves of invalid UTF-8: two such ids would collide.
            return Reject(row, Truncate(id), "product id holds U+FFFD (bytes that were not valid UTF-8)");
        }

        foreach (var (key, value) in row.Fields)
        {
            if (value is not null && value.Length > MaxFieldLength && !s_droppedColumns.Contains(key))
            {
                return Reject(row, id, $"field '{key}' is longer than {MaxFieldLength} characters");
            }

            if (value is not null && HasInvalidUtf16(value))
            {
                return Reject(row, id, $"field '{key}' holds invalid text (a lone surrogate)");
            }
        }

        var name = Clean(Get(row, "name"));
        if (name.Length == 0)
        {
            return Reject(row, id, "missing product name");
        }

        var imageRaw = Get(row, "image")?.Trim();
        if (string.IsNullOrEmpty(imageRaw))
        {
            return Reject(row, id, "missing image reference");
        }

        var (imageRef, imageError) = ResolveImage(imageRaw);
        if (imageRef is null)
        {
            return Reject(row, id, imageError!);
        }

        var payload = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in row.Fields)
        {
            if (!s_droppedColumns.Contains(key))
            {
                payload[key] = value;
            }
        }

        var text = BuildText(name, Clean(Get(row, "product_type")), Clean(Get(row, "colour")),
            Clean(Get(row, "product_group")), Clean(Get(row, "description")));

        return (new ProductRecord { Id = id, Name = name, Text = text, ImageRef = imageRef, Payload = payload }, null);
    }

    /// <summary>
    /// The text that is embedded: colour and type first ("Black Dress"), then the name, the product group and the
    /// description. Measured against the name-first form and a labelled form ("colour: black") on the H&amp;M sample
    /// (README, search quality): putting the words shoppers type first raised dense precision@10 from 0.67 to 0.75
    /// (MiniLM) and from 0.70 to 0.77 (arctic-embed-xs).
    /// </summary>
    public static string BuildText(string name, string type, string colour, string group, string description)
    {
        var head = string.Join(' ', new[] { colour, type }.Where(p => p.Length > 0));
        var sb = new StringBuilder();
        foreach (var part in new[] { head, name, group, description })
        {
            if (part.Length > 0)
            {
                sb.Append(sb.Length > 0 ? ". " : "").Append(part);
            }
        }

        return sb.ToString();
    }

    private (string? Ref, string? Error) ResolveImage(string raw)
    {
        if (raw.Length > MaxImageRefLength)
        {
            return (null, $"image reference longer than {MaxImageRefLength} characters");
        }

        if (raw.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri))
            {
                return (null, "image URL is not a valid absolute URL");
            }

            return uri.Scheme is "http" or "https"
                ? (uri.AbsoluteUri, null)
                : (null, $"image URL scheme '{uri.Scheme}' is not http or https");
        }

        if (HasBadCharacters(raw))
        {
            return (null, "image path holds control characters");
        }

        if (_imagesRoot is null)
        {
            return (null, "local image path, but the catalogue has no folder to keep it in (give an images root)");
        }

        // Catalogues written on Windows use backslashes; treating them as separators also means "..\" is seen as an escape.
        var portable = Path.DirectorySeparatorChar == '/' ? raw.Replace('\\', '/') : raw;
        var absolute = Path.IsPathRooted(portable);
        var full = Path.GetFullPath(absolute ? portable : Path.Combine(_baseDirectory ?? _imagesRoot, portable));
        return ConfinedPath.Check(_imagesRoot, full, out _) switch
        {
            null => (full, null),
            ConfinementRefusal.OutsideRoot when absolute => (null, $"absolute image path outside the images root {_imagesRoot}"),
            ConfinementRefusal.OutsideRoot => (null, $"image path leaves the images root {_imagesRoot}"),
            _ => (null, $"image path leads through a symbolic link out of the images root {_imagesRoot}"),
        };
    }

    private string? Get(SourceRow row, string field)
    {
        if (_columnMap.TryGetValue(field, out var mapped))
        {
            return row.Fields.TryGetValue(mapped, out var v) ? v : null;
        }

        foreach (var candidate in s_defaultColumns[field])
        {
            if (row.Fields.TryGetValue(candidate, out var v) && !string.IsNullOrWhiteSpace(v))
            {
                return v;
            }
        }

        return null;
    }

    private static (ProductRecord?, RowRejection?) Reject(SourceRow row, string? id, string reason) =>
        (null, new RowRejection(row.RowNumber, id, reason));

    private static string Clean(string? value) =>
        value is null ? "" : string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Truncate(string id) => id.Length <= 64 ? id : id[..64] + "…";

    private static bool HasBadCharacters(string value)
    {
        foreach (var c in value)
        {
            var category = char.GetUnicodeCategory(c);
            if (char.IsControl(c) || category == UnicodeCategory.Format)
            {
                return true;
            }
        }

        return HasInvalidUtf16(value);
    }

    private static bool HasInvalidUtf16(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return true;
                }

                i++;
            }
            else if (char.IsLowSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }
}
