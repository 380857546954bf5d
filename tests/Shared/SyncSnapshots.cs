using System.Text;

namespace Gme.Testing;

/// <summary>
/// Two snapshots of one catalogue cut from the H&amp;M sample in ../shared (read there, written only to a temp folder):
/// the first holds <c>n</c> products; the second changes 10 % of them, drops 5 % and adds 5 % new ones. The changes
/// come in three kinds, in turn: another photo path, other bytes at the SAME photo path (<see cref="RewritePhotos"/>,
/// called between the two runs), and other description text. Photos are copied into the temp folder
/// (<see cref="ImagesRoot"/>, the runs' images root) so that they can be rewritten there. The files are named
/// <c>snapshot-1.csv</c>, <c>snapshot-2.csv</c> and <c>snapshot-3.csv</c> (the truncated export), so that the collection
/// derived from their names is the same catalogue, <c>snapshot</c>.
/// </summary>
internal sealed class SyncSnapshots
{
    private static readonly string[] s_columns = ["product_id", "name", "product_type", "product_group", "colour", "department", "description", "image_file"];

    private readonly List<(string Path, string Replacement)> _rewrites;

    private SyncSnapshots(string folder, List<Dictionary<string, string>> first, List<Dictionary<string, string>> second,
        IReadOnlySet<string> changed, IReadOnlySet<string> removed, IReadOnlySet<string> added, List<(string Path, string Replacement)> rewrites)
    {
        ImagesRoot = folder;
        First = Write(Path.Combine(folder, "snapshot-1.csv"), first);
        Second = Write(Path.Combine(folder, "snapshot-2.csv"), second);
        Truncated = Write(Path.Combine(folder, "snapshot-3.csv"), second.Take(second.Count / 2).ToList());
        _rewrites = rewrites;
        PhotoRewritten = rewrites.Select(r => first.Single(row => row["image_file"] == r.Path)["product_id"]).ToHashSet(StringComparer.Ordinal);
        Changed = changed;
        Removed = removed;
        Added = added;
        Names = first.ToDictionary(r => r["product_id"], r => r["name"], StringComparer.Ordinal);
        Unchanged = first.Select(r => r["product_id"]).Where(id => !changed.Contains(id) && !removed.Contains(id)).ToHashSet(StringComparer.Ordinal);
    }

    public static string SampleFolder { get; } = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "datasets", "hm-sample"));

    public static string SampleCsv => Path.Combine(SampleFolder, "products.csv");

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder holding the snapshots and their photos: the runs' images root.</summary>
    public string ImagesRoot { get; }

    public string First { get; }
    public string Second { get; }
    public string Truncated { get; }
    public IReadOnlySet<string> Changed { get; }
    public IReadOnlySet<string> Removed { get; }
    public IReadOnlySet<string> Added { get; }
    public IReadOnlySet<string> Unchanged { get; }

    /// <summary>The changed products whose photo keeps its path and gets other bytes (a subset of <see cref="Changed"/>).</summary>
    public IReadOnlySet<string> PhotoRewritten { get; }

    /// <summary>Product names of the first snapshot, by id.</summary>
    public IReadOnlyDictionary<string, string> Names { get; }

    /// <summary>Skips (or, in CI, fails) when the shared sample is missing.</summary>
    public static void RequireSample()
    {
        if (!File.Exists(SampleCsv))
        {
            Assert.False(InCi, $"CI must run this test, but {SampleCsv} is missing");
            Assert.Skip($"{SampleCsv} is not present on this machine");
        }
    }

    public static SyncSnapshots Create(string folder, int n)
    {
        var rows = ReadCsv(File.ReadAllText(SampleCsv));
        Assert.True(rows.Count >= n * 2, $"the sample has {rows.Count} rows, fewer than {n * 2}");
        var photos = Path.Combine(folder, "images");
        Directory.CreateDirectory(photos);
        var first = rows.Take(n).Select(r => Project(r, photos)).ToList();
        var tenth = n / 10;
        var twentieth = n / 20;

        // Every 10th product changes (in turn its photo path, its photo's bytes at the same path, its text), products
        // 5, 25, 45, ... go, and as many new ones as removed come from further down the sample; spare photos (for new
        // paths and new bytes) from further still.
        var second = new List<Dictionary<string, string>>();
        HashSet<string> changed = new(StringComparer.Ordinal), removed = new(StringComparer.Ordinal), added = new(StringComparer.Ordinal);
        var rewrites = new List<(string Path, string Replacement)>();
        var sparePhotos = rows.Skip(n + twentieth).Select(r => Path.Combine(SampleFolder, r["image_file"])).GetEnumerator();
        for (var i = 0; i < first.Count; i++)
        {
            var row = new Dictionary<string, string>(first[i]);
            var id = row["product_id"];
            if (i % 20 == 5 && removed.Count < twentieth)
            {
                removed.Add(id);
                continue;
            }

            if (i % 10 == 0 && changed.Count < tenth)
            {
                changed.Add(id);
                switch (i / 10 % 3)
                {
                    case 0:
                        Assert.True(sparePhotos.MoveNext());
                        row["image_file"] = Copy(sparePhotos.Current, photos);
                        break;
                    case 1:
                        Assert.True(sparePhotos.MoveNext());
                        rewrites.Add((row["image_file"], sparePhotos.Current));
                        break;
                    default:
                        row["description"] += " Now made of recycled polyester.";
                        break;
                }
            }

            second.Add(row);
        }

        foreach (var row in rows.Skip(n).Take(twentieth).Select(r => Project(r, photos)))
        {
            added.Add(row["product_id"]);
            second.Add(row);
        }

        Assert.Equal(tenth, changed.Count);
        Assert.Equal(twentieth, removed.Count);
        sparePhotos.Dispose();
        return new SyncSnapshots(folder, first, second, changed, removed, added, rewrites);
    }

    /// <summary>
    /// Gives the photos of <see cref="PhotoRewritten"/> other bytes at the same path (another product's photo): what an
    /// export does when it overwrites a picture in place. Call it once the first snapshot has run.
    /// </summary>
    public void RewritePhotos()
    {
        foreach (var (path, replacement) in _rewrites)
        {
            var before = File.ReadAllBytes(path);
            // Written, not copied: the file gets a new modification time, as a rewrite in place does.
            File.WriteAllBytes(path, File.ReadAllBytes(replacement));
            Assert.NotEqual(before, File.ReadAllBytes(path));
        }
    }

    private static string Copy(string photo, string folder)
    {
        var target = Path.Combine(folder, Path.GetFileName(photo));
        File.Copy(photo, target, overwrite: true);
        return target;
    }

    private static Dictionary<string, string> Project(Dictionary<string, string> row, string photos)
    {
        var projected = s_columns.ToDictionary(c => c, c => row[c], StringComparer.Ordinal);
        projected["image_file"] = Copy(Path.Combine(SampleFolder, row["image_file"]), photos);
        return projected;
    }

    private static string Write(string path, List<Dictionary<string, string>> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', s_columns));
        foreach (var row in rows)
        {
            text.AppendLine(string.Join(',', s_columns.Select(c => Quote(row[c]))));
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gme.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Gme.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<Dictionary<string, string>> ReadCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                record.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }

        var header = records[0];
        return records.Skip(1).Where(r => r.Count == header.Count)
            .Select(r => header.Select((h, i) => (h, r[i])).ToDictionary(x => x.h, x => x.Item2, StringComparer.Ordinal))
            .ToList();
    }
}
