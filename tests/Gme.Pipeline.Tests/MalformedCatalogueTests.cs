using System.Text;
using System.Text.Json;
using Gme.Pipeline.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Pipeline.Tests;

/// <summary>Bad rows are recorded with a reason and skipped; the rest of the run goes on.</summary>
public sealed class MalformedCatalogueTests
{
    [Fact]
    public async Task RunSource_WithBadRows_RecordsReasonsAndIndexesTheRest()
    {
        using var dir = new TempDir();
        var images = Directory.CreateDirectory(dir.Sub("images"));
        var csv = new StringBuilder("product_id,name,product_type,colour,description,image_file\n");
        for (var i = 0; i < 12; i++)
        {
            using var image = new Image<Rgb24>(64, 64, new Rgb24((byte)(i * 20), 80, (byte)(255 - (i * 20))));
            await image.SaveAsJpegAsync(Path.Combine(images.FullName, $"p{i}.jpg"));
            csv.Append($"P{i:D3},\"Item {i}, plain\",Top,Blue,\"A \"\"soft\"\" top\",images/p{i}.jpg\n");
        }

        csv.Append(",No id,Top,Blue,desc,images/p0.jpg\n");                 // missing id
        csv.Append("P100,Bad url,Top,Blue,desc,ftp://example.org/x.jpg\n");   // unsupported scheme
        csv.Append("P001,Duplicate,Top,Blue,desc,images/p1.jpg\n");           // duplicate id
        csv.Append("P200,Lost photo,Top,Blue,desc,images/missing.jpg\n");     // ingested, fails at download
        var file = Path.Combine(dir.Path, "catalogue.csv");
        await File.WriteAllTextAsync(file, csv.ToString());

        var data = dir.Sub("data");
        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "run", "--source", file, "--data-dir", data);
        // Rejected rows carry their reason and do not fail the run; the product whose photo is missing does: exit 3,
        // with the count and the reason on one line.
        Assert.True(run.ExitCode == 3, $"gme run exited {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        var failedLine = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("1 of 13 products failed", failedLine);
        Assert.Contains("file_not_found", failedLine);

        var status = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "status", "--json", "--data-dir", data);
        using var json = JsonDocument.Parse(status.Stdout);
        var root = json.RootElement;
        Assert.Equal(13, root.GetProperty("products").GetInt32());
        Assert.Equal(12, root.GetProperty("indexed").GetInt32());
        Assert.Equal(1, root.GetProperty("failed").GetInt32());
        Assert.Equal(3, root.GetProperty("rejectedRows").GetInt32());
        var reason = Assert.Single(root.GetProperty("failuresByReason").EnumerateObject());
        Assert.Contains("file_not_found", reason.Name);

        var probe = new LedgerProbe(data);
        await using var db = probe.Open();
        var reasons = db.RejectedRows.OrderBy(r => r.RowNumber).Select(r => r.Reason).ToList();
        Assert.Equal(["missing product id", "image URL scheme 'ftp' is not http or https", "duplicate product id (first seen at row 2)"], reasons);
    }
}
