using System.Diagnostics;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Gme.Pipeline.Tests.Support;
using Parquet;
using Parquet.Serialization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Pipeline.Tests;

/// <summary>
/// End to end: `gme run --source FILE` on one hostile catalogue of each kind the source-layer corpus
/// (tests/Gme.Tests/HostileInput) covers. A file the user must fix ends with exit 2 and exactly one `error:` line
/// naming the file and the reason; a bad row is recorded and the run goes on. Never a stack trace, never past the
/// bound (the old behaviour was about 41 s of bus retries), never a byte read from outside the catalogue's folder.
/// </summary>
public sealed partial class HostileCatalogueRunTests
{
    private static readonly TimeSpan s_fileLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_rowLimit = TimeSpan.FromMinutes(3);
    private static readonly byte[] s_canary = Encoding.ASCII.GetBytes("GME-CANARY-OUTSIDE-THE-CATALOGUE-FOLDER-7f3a9c");

    public static TheoryData<string> FileCases() =>
    [
        "parquet-truncated", "parquet-footer-length-flipped", "parquet-footer-thrift-garbage", "csv-named-parquet",
        "dangling-symlink", "fifo", "dev-zero", "directory", "header-10mb", "semicolon-csv", "tab-csv", "double-bom",
        "utf16-no-bom", "invalid-utf8-header", "empty", "header-only", "map-missing-column", "all-rows-rejected",
    ];

    [Theory]
    [MemberData(nameof(FileCases))]
    public async Task Run_FileTheUserMustFix_ExitsTwoWithOneLineNamingIt(string kind)
    {
        using var dir = new TempDir();
        var catalogues = Directory.CreateDirectory(dir.Sub("catalogue")).FullName;
        var (file, reason, extra) = await CreateAsync(kind, catalogues);

        var stopwatch = Stopwatch.StartNew();
        var run = await CliProcess.RunAsync(s_fileLimit, ["run", "--source", file, "--data-dir", dir.Sub("data"), .. extra]);
        stopwatch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: exit {run.ExitCode} in {stopwatch.Elapsed.TotalSeconds:F1} s\n{run.Stderr}");

        Assert.True(run.ExitCode == 2, $"{kind}: exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        var error = Assert.Single(ErrorLines(run.Stderr));
        Assert.Contains(Path.GetFileName(file), error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
        AssertNoStackTrace(run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Run_JsonlWithALoneSurrogateRow_RejectsThatRowAndIndexesTheRest()
    {
        using var dir = new TempDir();
        var catalogues = Directory.CreateDirectory(dir.Sub("catalogue")).FullName;
        await WriteImagesAsync(catalogues, 3);
        var file = Path.Combine(catalogues, "catalogue.jsonl");
        await File.WriteAllTextAsync(file,
            "{\"product_id\":\"P1\",\"name\":\"One\",\"image_file\":\"p0.jpg\"}\n" +
            "{\"product_id\":\"P2\",\"name\":\"Bad \\ud800 name\",\"image_file\":\"p1.jpg\"}\n" +
            "{\"product_id\":\"P3\",\"name\":\"Three\",\"image_file\":\"p2.jpg\"}\n");

        var stopwatch = Stopwatch.StartNew();
        var run = await CliProcess.RunAsync(s_rowLimit, "run", "--source", file, "--data-dir", dir.Sub("data"));
        stopwatch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"lone surrogate: exit {run.ExitCode} in {stopwatch.Elapsed.TotalSeconds:F1} s\n{run.Stderr}");

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Empty(ErrorLines(run.Stderr));
        AssertNoStackTrace(run.Stdout + run.Stderr);
        await using var db = new LedgerProbe(dir.Sub("data")).Open();
        var rejected = Assert.Single(db.RejectedRows.ToList());
        Assert.Equal(2, rejected.RowNumber);
        Assert.Contains("lone surrogate", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ImagePathsEscapingTheFolder_NeverReadTheCanaryOutsideIt()
    {
        using var dir = new TempDir();
        var catalogues = Directory.CreateDirectory(dir.Sub("catalogue")).FullName;
        await WriteImagesAsync(catalogues, 2);
        var canary = dir.Sub("canary.jpg");
        await File.WriteAllBytesAsync(canary, s_canary);
        File.CreateSymbolicLink(Path.Combine(catalogues, "inside-link.jpg"), canary);
        var file = Path.Combine(catalogues, "catalogue.csv");
        await File.WriteAllTextAsync(file,
            "product_id,name,image_file\n" +
            "P1,One,p0.jpg\n" +
            "P2,Two,p1.jpg\n" +
            "P3,Dotdot,../canary.jpg\n" +
            $"P4,Absolute,{canary}\n" +
            "P5,Link,inside-link.jpg\n" +
            $"P6,FileUrl,file://{canary}\n");

        var stopwatch = Stopwatch.StartNew();
        // Four of six rows escape on purpose: allow them all, so the run goes on past ingest with the two good ones.
        var run = await CliProcess.RunWithAsync(new Dictionary<string, string> { ["Gme__Ingest__MaxRejectedPercent"] = "100" },
            s_rowLimit, "run", "--source", file, "--data-dir", dir.Sub("data"));
        stopwatch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"escaping paths: exit {run.ExitCode} in {stopwatch.Elapsed.TotalSeconds:F1} s\n{run.Stderr}");

        // Escaping rows are rejected at ingest or fail their download; either way the two good products are indexed.
        Assert.True(run.ExitCode is 0 or 3, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.True(ErrorLines(run.Stderr).Count <= 1, run.Stderr);
        AssertNoStackTrace(run.Stdout + run.Stderr);
        foreach (var path in Directory.EnumerateFiles(dir.Sub("data"), "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.True(bytes.AsSpan().IndexOf(s_canary) < 0, $"the canary's bytes reached {path}");
        }
    }

    private static async Task<(string File, string Reason, string[] Extra)> CreateAsync(string kind, string dir)
    {
        var csv = "product_id,name,image_url\nP1,One,https://img.test/1.jpg\nP2,Two,https://img.test/2.jpg\n";
        string Write(string name, byte[] bytes)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }

        string Text(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

        switch (kind)
        {
            case "parquet-truncated":
                var clean = await CleanParquetAsync();
                return (Write("truncated.parquet", clean[..(clean.Length * 2 / 3)]), "Parquet", []);
            case "parquet-footer-length-flipped":
                var flipped = await CleanParquetAsync();
                flipped[^6] ^= 0x40; // the footer length now points far before the start of the file
                return (Write("flipped.parquet", flipped), "Parquet", []);
            case "parquet-footer-thrift-garbage":
                var garbage = await CleanParquetAsync();
                var footerStart = garbage.Length - 8 - BitConverter.ToInt32(garbage, garbage.Length - 8);
                garbage.AsSpan(footerStart, 16).Fill(0xFF); // field headers of no Thrift type
                return (Write("garbage.parquet", garbage), "Parquet", []);
            case "csv-named-parquet":
                return (Text("catalogue.parquet", csv), "PAR1", []);
            case "dangling-symlink":
                var dangling = Path.Combine(dir, "dangling.csv");
                File.CreateSymbolicLink(dangling, Path.Combine(dir, "gone.csv"));
                return (dangling, "does not exist", []);
            case "fifo":
                var fifo = Path.Combine(dir, "pipe.csv");
                using (var mkfifo = Process.Start("mkfifo", [fifo]))
                {
                    await mkfifo.WaitForExitAsync();
                }

                return (fifo, "not a regular file", []);
            case "dev-zero":
                var zero = Path.Combine(dir, "zero.csv");
                File.CreateSymbolicLink(zero, "/dev/zero");
                return (zero, "not a regular file", []);
            case "directory":
                return (Directory.CreateDirectory(Path.Combine(dir, "folder.csv")).FullName, "directory", []);
            case "header-10mb":
                return (Text("wide.csv", new string('h', 10 * 1024 * 1024) + ",name\n1,x\n"), "header row is longer", []);
            case "semicolon-csv":
                return (Text("semi.csv", csv.Replace(',', ';')), "semicolon", []);
            case "tab-csv":
                return (Text("tabs.csv", csv.Replace(',', '\t')), "tab", []);
            case "double-bom":
                return (Write("boms.csv", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(csv)]), "byte-order mark", []);
            case "utf16-no-bom":
                return (Write("utf16.csv", Encoding.Unicode.GetBytes(csv)), "UTF-16", []);
            case "invalid-utf8-header":
                return (Write("badhead.csv", [.. "product_id,na"u8, 0xFF, .. "me,image_url\nP1,One,https://img.test/1.jpg\n"u8]), "UTF-8", []);
            case "empty":
                return (Write("empty.csv", []), "empty", []);
            case "header-only":
                return (Text("header.csv", "product_id,name,image_url\n"), "no data rows", []);
            case "map-missing-column":
                return (Text("mapped.csv", csv), "nope", ["--map", "id=nope"]);
            case "all-rows-rejected":
                return (Text("noids.csv", "product_id,name,image_url\n,One,https://img.test/1.jpg\n,Two,https://img.test/2.jpg\n"), "rejected", []);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such case");
        }
    }

    private static List<string> ErrorLines(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();

    private static void AssertNoStackTrace(string output)
    {
        Assert.False(StackFrame().IsMatch(output), $"a stack trace:\n{output}");
        Assert.False(ExceptionDump().IsMatch(output), $"an exception dump:\n{output}");
    }

    [GeneratedRegex(@"^\s+at \S", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"^(Unhandled exception|[\w.]+Exception: )", RegexOptions.Multiline)]
    private static partial Regex ExceptionDump();

    private static async Task WriteImagesAsync(string dir, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var image = new Image<Rgb24>(64, 64, new Rgb24((byte)(i * 60), 90, (byte)(255 - (i * 60))));
            await image.SaveAsJpegAsync(Path.Combine(dir, $"p{i}.jpg"));
        }
    }

    private static async Task<byte[]> CleanParquetAsync()
    {
        var rows = Enumerable.Range(1, 40).Select(i => new ParquetRow
        {
            ProductId = FormattableString.Invariant($"P{i:D3}"),
            Name = FormattableString.Invariant($"Dress {i}"),
            ImageUrl = FormattableString.Invariant($"https://img.test/{i}.jpg"),
        }).ToList();
        using var stream = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, stream, new ParquetOptions { RowGroupSize = 10 });
        return stream.ToArray();
    }

    private sealed class ParquetRow
    {
        [JsonPropertyName("product_id")]
        public string ProductId { get; set; } = "";

        [JsonPropertyName("name")]
        public string Name { get; set; } = "";

        [JsonPropertyName("image_url")]
        public string ImageUrl { get; set; } = "";
    }
}
