using System.Text;
using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;

namespace Gme.Tests.HostileInput;

/// <summary>
/// The generated hostile-input corpus: truncations and bit flips at many offsets of a clean CSV, JSONL and Parquet
/// catalogue, invalid UTF-8 at many positions, wrong delimiters, BOM and UTF-16 variants, lone surrogates, huge
/// lines, empty and header-only files, wrong extensions and special files. Deterministic (fixed seeds).
/// </summary>
internal static class HostileCatalogues
{
    private static readonly Lazy<IReadOnlyDictionary<string, HostileCase>> s_cases = new(() => Generate().ToDictionary(c => c.Name, StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, HostileCase> Cases => s_cases.Value;

    public static byte[] CleanCsv { get; } = Encoding.UTF8.GetBytes(BuildCsv());

    public static byte[] CleanJsonl { get; } = Encoding.UTF8.GetBytes(BuildJsonl());

    public static byte[] CleanParquet { get; } = BuildParquet();

    public const int Rows = 24;

    private static IEnumerable<HostileCase> Generate()
    {
        var formats = new[] { ("csv", CleanCsv), ("jsonl", CleanJsonl), ("parquet", CleanParquet) };

        foreach (var (ext, clean) in formats)
        {
            // Clean files are accepted: the corpus must not pass by refusing everything.
            yield return new($"{ext}/clean", Bytes($"clean.{ext}", clean), Outcome.Accepted, RowCount: Rows);

            // Truncations at 60 offsets. A Parquet file loses its footer and is refused; text may lose rows.
            foreach (var cut in Offsets(clean.Length, 60))
            {
                var expected = cut == 0 || ext == "parquet" ? Outcome.FileRejected : Outcome.Any;
                yield return new($"{ext}/truncated-at-{cut}", Bytes($"t.{ext}", clean[..cut]), expected);
            }

            // Bit flips at 80 seeded offsets.
            var random = new Random(ext.Length * 7919);
            for (var i = 0; i < 80; i++)
            {
                var offset = random.Next(clean.Length);
                var bit = random.Next(8);
                var flipped = (byte[])clean.Clone();
                flipped[offset] ^= (byte)(1 << bit);
                var expected = ext == "parquet" && (offset < 4 || offset >= clean.Length - 4) ? Outcome.FileRejected : Outcome.Any;
                yield return new($"{ext}/bitflip-{i}-at-{offset}-bit-{bit}", Bytes($"f.{ext}", flipped), expected);
            }

            yield return new($"{ext}/empty", Bytes($"e.{ext}", []), Outcome.FileRejected, "empty");
            yield return new($"{ext}/missing", dir => Path.Combine(dir, $"missing.{ext}"), Outcome.FileRejected, "not found");
            yield return new($"{ext}/directory", dir => Directory.CreateDirectory(Path.Combine(dir, $"dir.{ext}")).FullName, Outcome.FileRejected, "directory");
            yield return new($"{ext}/dangling-symlink", dir => Link(dir, $"dangling.{ext}", Path.Combine(dir, "gone")), Outcome.FileRejected, "does not exist");
            yield return new($"{ext}/dev-zero", dir => Link(dir, $"zero.{ext}", "/dev/zero"), Outcome.FileRejected, "not a regular file");
            yield return new($"{ext}/dev-null", dir => Link(dir, $"null.{ext}", "/dev/null"), Outcome.FileRejected, "not a regular file");
            yield return new($"{ext}/fifo", Fifo($"pipe.{ext}"), Outcome.FileRejected, "not a regular file");
            yield return new($"{ext}/symlink-to-clean", dir => Link(dir, $"link.{ext}", Bytes($"target.{ext}", clean)(dir)), Outcome.Accepted, RowCount: Rows);
        }

        foreach (var c in ParquetFooterFlips().Append(ParquetInvalidUtf8()).Concat(InvalidUtf8()).Concat(Encodings()).Concat(Delimiters())
            .Concat(Surrogates()).Concat(ImagePaths()))
        {
            yield return c;
        }

        var csvHeader = "product_id,name,image_url";
        yield return new("csv/header-10mb", Text("h.csv", new string('h', 10 * 1024 * 1024) + ",name\n1,x\n"), Outcome.FileRejected, "header row is longer");
        yield return new("csv/row-9mb", Text("r.csv", $"{csvHeader}\n1,\"{new string('r', 9 * 1024 * 1024)}\",a.jpg\n2,b,b.jpg\n"), Outcome.RowsRejected, "longer than");
        yield return new("jsonl/line-9mb", Text("r.jsonl", $"{{\"product_id\":\"1\",\"name\":\"{new string('r', 9 * 1024 * 1024)}\"}}\n{{\"product_id\":\"2\"}}\n"), Outcome.RowsRejected, "longer than");
        yield return new("csv/header-only", Text("ho.csv", csvHeader + "\n"), Outcome.Accepted, RowCount: 0);
        yield return new("csv/blank-lines-only", Text("bl.csv", "\n\r\n\n"), Outcome.FileRejected, "no header row");
        yield return new("jsonl/blank-lines-only", Text("bl.jsonl", "\n  \n\n"), Outcome.Accepted);
        yield return new("csv/unterminated-header-quote", Text("q.csv", "\"product_id,name\n1,2\n"), Outcome.FileRejected, "unterminated quote");
        yield return new("csv/binary-nul", Bytes("n.csv", [.. "id,name\n"u8, 0, 1, 2, 3, (byte)'\n']), Outcome.FileRejected, "NUL");

        // Wrong extensions: the content says what it is.
        yield return new("csv-content/as-parquet", Bytes("c.parquet", CleanCsv), Outcome.FileRejected, "no PAR1 magic");
        yield return new("jsonl-content/as-parquet", Bytes("j.parquet", CleanJsonl), Outcome.FileRejected, "no PAR1 magic");
        yield return new("parquet-content/as-csv", Bytes("p.csv", CleanParquet), Outcome.FileRejected, "is a Parquet file");
        yield return new("parquet-content/as-jsonl", Bytes("p.jsonl", CleanParquet), Outcome.FileRejected, "is a Parquet file");
        yield return new("jsonl-content/as-csv", Bytes("j.csv", CleanJsonl), Outcome.Any);
        yield return new("csv-content/as-jsonl", Bytes("c.jsonl", CleanCsv), Outcome.RowsRejected, "not valid JSON");
        yield return new("parquet/tiny", Bytes("tiny.parquet", "PAR1PAR1"u8.ToArray()), Outcome.FileRejected, "too short");
    }

    /// <summary>Invalid UTF-8 sequences put into the header (file refused) or a data row (that row rejected), with the byte offset.</summary>
    private static IEnumerable<HostileCase> InvalidUtf8()
    {
        byte[][] sequences = [[0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]];
        foreach (var (sequence, s) in sequences.Select((q, i) => (q, i)))
        {
            // CSV header: the whole file is refused, naming the offset.
            foreach (var at in new[] { 0, 3, 10 })
            {
                var bytes = Insert(CleanCsv, at, sequence);
                yield return new($"csv/invalid-utf8-{s}-in-header-at-{at}", Bytes("u.csv", bytes), Outcome.FileRejected, $"at byte {at}");
            }

            foreach (var (ext, clean) in new[] { ("csv", CleanCsv), ("jsonl", CleanJsonl) })
            {
                // Inside a value of lines 2, 5, 9, 14 and the last: that row only, with the offset.
                var lineStarts = LineStarts(clean);
                foreach (var line in new[] { 1, 4, 8, 13, lineStarts.Count - 1 })
                {
                    var at = ext == "csv" ? lineStarts[line] + 1 : lineStarts[line] + "{\"product_id\":\"".Length + 1;
                    var bytes = Insert(clean, at, sequence);
                    yield return new($"{ext}/invalid-utf8-{s}-line-{line + 1}-at-{at}", Bytes($"u.{ext}", bytes), Outcome.RowsRejected, $"invalid UTF-8 byte at offset {at}");
                }
            }
        }
    }

    private static IEnumerable<HostileCase> Encodings()
    {
        foreach (var (ext, clean) in new[] { ("csv", CleanCsv), ("jsonl", CleanJsonl) })
        {
            var text = Encoding.UTF8.GetString(clean);
            byte[] bom = [0xEF, 0xBB, 0xBF];
            yield return new($"{ext}/utf8-bom", Bytes($"b.{ext}", [.. bom, .. clean]), Outcome.Accepted, RowCount: Rows);
            yield return new($"{ext}/double-bom", Bytes($"bb.{ext}", [.. bom, .. bom, .. clean]), Outcome.FileRejected, "two UTF-8 byte-order marks");
            yield return new($"{ext}/utf16le-bom", Bytes($"u16.{ext}", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)]), Outcome.FileRejected, "UTF-16");
            yield return new($"{ext}/utf16be-bom", Bytes($"u16b.{ext}", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)]), Outcome.FileRejected, "UTF-16");
            yield return new($"{ext}/utf16le-no-bom", Bytes($"n16.{ext}", Encoding.Unicode.GetBytes(text)), Outcome.FileRejected, "UTF-16 without a byte-order mark");
            yield return new($"{ext}/utf16be-no-bom", Bytes($"n16b.{ext}", Encoding.BigEndianUnicode.GetBytes(text)), Outcome.FileRejected, "UTF-16 without a byte-order mark");
            yield return new($"{ext}/utf32le-bom", Bytes($"u32.{ext}", [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(text)]), Outcome.FileRejected, "UTF-16 or UTF-32");
            yield return new($"{ext}/latin1", Bytes($"l1.{ext}", Encoding.Latin1.GetBytes(text)), Outcome.RowsRejected, "invalid UTF-8");
        }
    }

    private static IEnumerable<HostileCase> Delimiters()
    {
        foreach (var (name, delimiter) in new[] { ("semicolon", ";"), ("tab", "\t") })
        {
            var csv = Encoding.UTF8.GetString(CleanCsv).Replace(",", delimiter, StringComparison.Ordinal);
            yield return new($"csv/{name}-delimited", Text("d.csv", csv), Outcome.FileRejected, $"{name}-delimited");
            yield return new($"csv/{name}-delimited-crlf", Text("d.csv", csv.ReplaceLineEndings("\r\n")), Outcome.FileRejected, $"{name}-delimited");
            yield return new($"csv/{name}-delimited-bom", Bytes("d.csv", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(csv)]), Outcome.FileRejected, $"{name}-delimited");
        }
    }

    /// <summary>
    /// Bit flips across the Parquet footer (the Thrift-encoded metadata and its length). The Parquet library spins for
    /// ever on some of them (a struct whose STOP byte is flipped reads past the end of the footer); the footer check
    /// (<c>ParquetFooter</c>) refuses those. Each must end as a refusal naming the file, rejected rows, or a clean read.
    /// </summary>
    private static IEnumerable<HostileCase> ParquetFooterFlips()
    {
        var clean = CleanParquet;
        var footerLength = BitConverter.ToInt32(clean, clean.Length - 8);
        var start = clean.Length - 8 - footerLength;
        var stride = Math.Max(1, (footerLength + 4) / 240);
        for (var offset = start; offset < clean.Length - 4; offset += stride)
        {
            var bit = offset % 8;
            var flipped = (byte[])clean.Clone();
            flipped[offset] ^= (byte)(1 << bit);
            yield return new($"parquet/footer-flip-at-{offset}-bit-{bit}", Bytes("ff.parquet", flipped), Outcome.Any);
        }
    }

    /// <summary>
    /// Image paths that lead out of the catalogue's folder (to the canaries next to it, to system files, through links
    /// made inside it): the row is rejected with the reason, and the run goes on with the other rows.
    /// </summary>
    private static IEnumerable<HostileCase> ImagePaths()
    {
        (string Name, Func<string, string> Ref, string Reason)[] paths =
        [
            ("absolute-canary", dir => Canary(dir, CanaryFile), "absolute image path outside the images root"),
            ("absolute-canary-fifo", dir => Canary(dir, CanaryFifo), "absolute image path outside the images root"),
            ("dotdot-canary", _ => $"../{OutsideFolder}/{CanaryFile}", "image path leaves the images root"),
            ("dotdot-canary-fifo", _ => $"../{OutsideFolder}/{CanaryFifo}", "image path leaves the images root"),
            ("dot-dotdot-canary", _ => $"./../{OutsideFolder}/{CanaryFile}", "image path leaves the images root"),
            ("sub-dotdot-canary", _ => $"sub/../../{OutsideFolder}/{CanaryFile}", "image path leaves the images root"),
            ("backslash-dotdot-canary", _ => $"..\\{OutsideFolder}\\{CanaryFile}", "image path leaves the images root"),
            ("deep-dotdot-passwd", _ => "a/../../../../../../../../../../etc/passwd", "image path leaves the images root"),
            ("etc-passwd", _ => "/etc/passwd", "absolute image path outside the images root"),
            ("proc-environ", _ => "/proc/self/environ", "absolute image path outside the images root"),
            ("dev-zero", _ => "/dev/zero", "absolute image path outside the images root"),
            ("file-url", _ => "file:///etc/passwd", "image URL scheme 'file' is not http or https"),
            ("link-to-canary", dir => Linked(dir, "link.jpg", Canary(dir, CanaryFile)), "symbolic link out of the images root"),
            ("link-to-canary-fifo", dir => Linked(dir, "fifo.jpg", Canary(dir, CanaryFifo)), "symbolic link out of the images root"),
            ("dir-link-out", dir => Linked(dir, "dirlink", Path.GetDirectoryName(Canary(dir, CanaryFile))!) + "/" + CanaryFile,
                "symbolic link out of the images root"),
            ("relative-link-out", dir => Linked(dir, "rel.jpg", $"../{OutsideFolder}/{CanaryFile}"), "symbolic link out of the images root"),
        ];

        foreach (var (name, reference, reason) in paths)
        {
            yield return new($"csv-paths/{name}", dir =>
            {
                var hostile = reference(dir);
                return Text("paths.csv", $"product_id,name,image_file\nP1,One,p1.jpg\nP2,Two,p2.jpg\nP3,Three,p3.jpg\nP4,Hostile,\"{hostile}\"\n")(dir);
            }, Outcome.RowsRejected, reason, RowCount: 4);
            yield return new($"jsonl-paths/{name}", dir =>
            {
                var hostile = System.Text.Json.JsonSerializer.Serialize(reference(dir));
                return Text("paths.jsonl", "{\"product_id\":\"P1\",\"name\":\"One\",\"image_file\":\"p1.jpg\"}\n{\"product_id\":\"P2\",\"name\":\"Two\",\"image_file\":\"p2.jpg\"}\n"
                    + "{\"product_id\":\"P3\",\"name\":\"Three\",\"image_file\":\"p3.jpg\"}\n" + $"{{\"product_id\":\"P4\",\"name\":\"Hostile\",\"image_file\":{hostile}}}\n")(dir);
            }, Outcome.RowsRejected, reason, RowCount: 4);
        }

        // The catalogue itself a link to the canary FIFO outside: refused by its type, never opened (that would block).
        foreach (var ext in new[] { "csv", "jsonl", "parquet" })
        {
            yield return new($"{ext}-paths/catalogue-link-to-canary-fifo", dir => Link(dir, $"c.{ext}", Canary(dir, CanaryFifo)), Outcome.FileRejected, "not a regular file");
        }
    }

    /// <summary>The folder next to each case's catalogue folder that holds the canaries (see <see cref="HostileCatalogueTests"/>).</summary>
    public const string OutsideFolder = "outside";

    /// <summary>A regular file outside the catalogue folder: no byte of it may be read.</summary>
    public const string CanaryFile = "canary.jpg";

    /// <summary>A FIFO outside the catalogue folder: opening it would block, so a read shows as a case over its time bound.</summary>
    public const string CanaryFifo = "canary.fifo";

    public static string Canary(string catalogueDir, string name) => Path.GetFullPath(Path.Combine(catalogueDir, "..", OutsideFolder, name));

    /// <summary>A text value whose bytes are not UTF-8: the library decodes it to U+FFFD, and that row is rejected.</summary>
    private static HostileCase ParquetInvalidUtf8()
    {
        var rows = Enumerable.Range(1, 3).Select(i => new ParquetRow
        {
            ProductId = CultureInvariant($"P{i:D4}"),
            Name = i == 2 ? "Broken \u00FC name" : "Plain name",
            ImageUrl = CultureInvariant($"https://img.test/{i}.jpg"),
        }).ToList();
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync(rows, stream, new ParquetOptions { CompressionMethod = CompressionMethod.None }).GetAwaiter().GetResult();
        var bytes = stream.ToArray();
        var marker = Encoding.UTF8.GetBytes("Broken \u00FC");
        for (var at = bytes.AsSpan().IndexOf(marker); at >= 0; at = IndexOf(bytes, marker, at + 1))
        {
            bytes[at + marker.Length - 2] = 0xFF; // the lead byte of ü becomes a byte UTF-8 never uses
        }

        return new("parquet/invalid-utf8-value", Bytes("u.parquet", bytes), Outcome.RowsRejected, "column 'name' is not valid UTF-8");
    }

    private static int IndexOf(byte[] bytes, byte[] marker, int from)
    {
        var at = bytes.AsSpan(from).IndexOf(marker);
        return at < 0 ? -1 : from + at;
    }

    private static IEnumerable<HostileCase> Surrogates()
    {
        string[] escapes = [@"\ud800", @"\udc00", @"\ud800x", @"x\udbff", @"\udfff\ud800"];
        foreach (var (escape, i) in escapes.Select((e, i) => (e, i)))
        {
            var value = $"{{\"product_id\":\"1\",\"name\":\"ok\"}}\n{{\"product_id\":\"2\",\"name\":\"{escape}\"}}\n{{\"product_id\":\"3\",\"name\":\"ok\"}}\n";
            yield return new($"jsonl/lone-surrogate-value-{i}", Text("s.jsonl", value), Outcome.RowsRejected, "lone surrogate");
            var key = $"{{\"product_id\":\"1\"}}\n{{\"{escape}\":\"2\"}}\n";
            yield return new($"jsonl/lone-surrogate-key-{i}", Text("k.jsonl", key), Outcome.RowsRejected, "lone surrogate");
        }

        // A valid escaped pair is text, not an error.
        yield return new("jsonl/surrogate-pair", Text("p.jsonl", "{\"product_id\":\"1\",\"name\":\"\\ud83d\\ude00\",\"image_url\":\"https://img.test/1.jpg\"}\n"), Outcome.Accepted);
    }

    private static IEnumerable<int> Offsets(int length, int count) =>
        Enumerable.Range(0, count).Select(i => (int)((long)i * length / count)).Distinct();

    private static List<int> LineStarts(byte[] bytes)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static byte[] Insert(byte[] bytes, int at, byte[] sequence) => [.. bytes[..at], .. sequence, .. bytes[at..]];

    private static Func<string, string> Bytes(string name, byte[] content) => dir =>
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, content);
        return path;
    };

    private static Func<string, string> Text(string name, string content) => Bytes(name, Encoding.UTF8.GetBytes(content));

    private static string Link(string dir, string name, string target)
    {
        var path = Path.Combine(dir, name);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    /// <summary>Makes a link in the catalogue folder and returns its name, the image reference a row will hold.</summary>
    private static string Linked(string dir, string name, string target)
    {
        Link(dir, name, target);
        return name;
    }

    private static Func<string, string> Fifo(string name) => dir =>
    {
        var path = Path.Combine(dir, name);
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        return path;
    };

    private static string BuildCsv()
    {
        var sb = new StringBuilder("product_id,name,product_type_name,colour_group_name,image_url\n");
        for (var i = 1; i <= Rows; i++)
        {
            sb.Append(CultureInvariant($"P{i:D4},\"Dress {i}, été\",Dress,Blå {i},https://img.test/{i}.jpg\n"));
        }

        return sb.ToString();
    }

    private static string BuildJsonl()
    {
        var sb = new StringBuilder();
        for (var i = 1; i <= Rows; i++)
        {
            sb.Append(CultureInvariant($"{{\"product_id\":\"P{i:D4}\",\"name\":\"Dress {i} 日本 é\",\"product_type_name\":\"Dress\",\"price\":{i}.5,\"image_url\":\"https://img.test/{i}.jpg\"}}\n"));
        }

        return sb.ToString();
    }

    private static byte[] BuildParquet()
    {
        var rows = Enumerable.Range(1, Rows).Select(i => new ParquetRow
        {
            ProductId = CultureInvariant($"P{i:D4}"),
            Name = CultureInvariant($"Dress {i} ü"),
            Price = i * 1.5,
            Stock = i,
            ImageUrl = CultureInvariant($"https://img.test/{i}.jpg"),
        }).ToList();
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync(rows, stream, new ParquetOptions { RowGroupSize = 8 }).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    private sealed class ParquetRow
    {
        [JsonPropertyName("product_id")]
        public string ProductId { get; set; } = "";

        [JsonPropertyName("name")]
        public string Name { get; set; } = "";

        [JsonPropertyName("price")]
        public double Price { get; set; }

        [JsonPropertyName("stock")]
        public int Stock { get; set; }

        [JsonPropertyName("image_url")]
        public string ImageUrl { get; set; } = "";
    }
}
