using System.Net;
using System.Text.Json;
using Gme.Pipeline.Tests.Support;
using Gme.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Pipeline.Tests;

/// <summary>
/// The documented pilot, `gme run --source hf://Qdrant/hm_ecommerce_products --limit N`, against a fake Hub on
/// loopback (the Hub's Parquet listing shape, H&amp;M columns incl. the embedding columns to drop) whose image URLs
/// point at a loopback image server, let through the SSRF guard by Gme:Images:AllowedPrivateNetworks.
/// </summary>
public sealed class HuggingFacePipelineTests
{
    private const string Dataset = "Qdrant/hm_ecommerce_products";

    [Fact]
    public async Task RunSourceHf_Limit_IngestsFromTheFakeHubAndIndexes()
    {
        using var dir = new TempDir();
        await using var app = await StartHubAsync();
        var baseAddress = new Uri(app.Urls.First() + "/");
        var data = dir.Sub("data");
        var environment = new Dictionary<string, string>
        {
            ["Gme__HuggingFace__BaseUrl"] = baseAddress.AbsoluteUri,
            ["Gme__Images__AllowedPrivateNetworks__0"] = "127.0.0.1/32",
        };

        var run = await CliProcess.RunWithAsync(environment, TimeSpan.FromMinutes(5), "run", "--source", $"hf://{Dataset}", "--limit", "40", "--data-dir", data);
        Assert.True(run.ExitCode == 0, $"gme run exited {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");

        var status = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "status", "--json", "--data-dir", data);
        using var json = JsonDocument.Parse(status.Stdout);
        var root = json.RootElement;
        Assert.Equal(40, root.GetProperty("indexed").GetInt32());
        Assert.Equal(0, root.GetProperty("failed").GetInt32());
        Assert.Equal(40, root.GetProperty("images").GetProperty("ready").GetInt32());
        Assert.Contains("hf", root.GetProperty("run").GetProperty("source").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<WebApplication> StartHubAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/api/datasets/{owner}/{name}/parquet/{config}/{split}", (HttpRequest request, string owner, string name) =>
            $"{owner}/{name}" == Dataset
                ? Results.Json(new[] { $"{request.Scheme}://{request.Host}/api/datasets/{Dataset}/parquet/default/train/0.parquet" })
                : Results.NotFound());
        // The rows' image URLs need the server's port, so the file is written per request (deterministically).
        app.MapGet("/api/datasets/{owner}/{name}/parquet/default/train/0.parquet", async (HttpRequest request) =>
            Results.Bytes(await ParquetAsync(60, $"{request.Scheme}://{request.Host}/images/"), "application/octet-stream", enableRangeProcessing: true));
        app.MapGet("/images/{id:int}.jpg", (int id) => Results.Bytes(Photo(id), "image/jpeg"));
        await app.StartAsync();
        return app;
    }

    private static Task<byte[]> ParquetAsync(int rows, string imageBase)
    {
        // Its own catalogue rather than HmParquetGenerator.Garment (the image URLs must point at this test's loopback
        // image server); only the column set is shared.
        var data = Enumerable.Range(0, rows).Select(i => new HmRow
        {
            ArticleId = $"{108_775_015 + i}",
            ProdName = $"Strap top {i}",
            ProductTypeName = (i % 2) == 0 ? "Vest top" : "Trousers",
            ProductGroupName = "Garment Upper body",
            ColourGroupName = (i % 3) == 0 ? "Black" : "White",
            DepartmentName = "Jersey Basic",
            DetailDesc = $"Jersey top {i} with narrow shoulder straps.",
            ImageUrl = $"{imageBase}{i}.jpg",
            DenseEmbedding = [i, 0.5f],
            SparseIndices = [i],
            SparseValues = [1f],
        });
        return HmParquetGenerator.ToBytesAsync(data, rowGroupSize: 25);
    }

    /// <summary>A different picture per product (validation's image self-search must tell them apart).</summary>
    private static byte[] Photo(int id)
    {
        using var image = new Image<Rgb24>(64, 96);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var band = ((x * (1 + (id % 7))) + (y * (1 + (id / 7)))) / 8 % 2 == 0;
                    row[x] = band ? new Rgb24((byte)(id * 37), (byte)(id * 91), (byte)(255 - (id * 53))) : new Rgb24((byte)(id * 11), 200, (byte)(id * 29));
                }
            }
        });
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        return stream.ToArray();
    }
}
