using System.Diagnostics;
using Gme.Core.Embeddings;
using Gme.Onnx;
using Microsoft.Extensions.AI;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Tests.Embedder;

/// <summary>A measurement, not a check: run it on purpose with <c>--filter</c> and the explicit-tests switch.</summary>
public sealed class LocalOnnxProviderThroughputTests(LocalOnnxProviderFixture fixture) : IClassFixture<LocalOnnxProviderFixture>
{
    private const string Description =
        "Fitted dress in a cotton weave with a V-neck, narrow shoulder straps, a seam at the waist and a flared skirt. "
        + "Concealed zip at the back and lined bodice. Colour: dark red. Pattern: solid. Garment group: dresses.";

    [Fact(Explicit = true)]
    public async Task Measure_Throughput()
    {
        var ct = TestContext.Current.CancellationToken;
        var images = Path.Combine(fixture.Root, "throughput");
        Directory.CreateDirectory(images);
        var random = new Random(1);
        var items = new List<EmbeddingInput>();
        for (var i = 0; i < 128; i++)
        {
            var path = Path.Combine(images, $"p{i}.jpg");
            if (i < 16)
            {
                using var image = new Image<Rgb24>(512, 768);
                image.ProcessPixelRows(a =>
                {
                    for (var y = 0; y < a.Height; y++)
                    {
                        foreach (ref var p in a.GetRowSpan(y))
                        {
                            p = new Rgb24((byte)random.Next(256), (byte)(y / 3), 128);
                        }
                    }
                });
                await image.SaveAsJpegAsync(path, ct);
            }
            else
            {
                File.Copy(Path.Combine(images, $"p{i % 16}.jpg"), path);
            }

            items.Add(new EmbeddingInput($"p{i}", $"{Description} Article {i}.", path));
        }

        // Warm up both models so load time is not counted.
        var queries = fixture.Provider.Queries;
        await queries[LocalOnnxProvider.TextSpace].Text!.GenerateVectorAsync("warm", cancellationToken: ct);
        await queries[LocalOnnxProvider.ImageSpace].Image!.GenerateVectorAsync(new DataContent(await File.ReadAllBytesAsync(items[0].ImagePath, ct), "image/jpeg"), cancellationToken: ct);

        var encoder = new MiniLmTextEncoder(new LocalModelOptions());
        encoder.Embed(["warm"], ct);
        var texts = items.Select(x => x.Text).ToArray();
        var started = Stopwatch.GetTimestamp();
        encoder.Embed(texts, ct);
        var textRate = texts.Length / Stopwatch.GetElapsedTime(started).TotalSeconds;
        encoder.Dispose();

        started = Stopwatch.GetTimestamp();
        foreach (var item in items.Take(64))
        {
            await queries[LocalOnnxProvider.ImageSpace].Image!.GenerateVectorAsync(new DataContent(await File.ReadAllBytesAsync(item.ImagePath, ct), "image/jpeg"), cancellationToken: ct);
        }

        var imageRate = 64 / Stopwatch.GetElapsedTime(started).TotalSeconds;

        var shard = Path.Combine(fixture.Paths.Shards, "throughput.jsonl");
        await fixture.Provider.WriteShardAsync(items, shard, ct);
        started = Stopwatch.GetTimestamp();
        await fixture.Provider.SubmitShardAsync("throughput", shard, ct);
        var shardRate = items.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"cores {Environment.ProcessorCount}: text {textRate:F1}/s, image (query path, 512x768 JPEG) {imageRate:F1}/s, shard (text+image) {shardRate:F1} products/s");
        Assert.True(shardRate > 0);
    }
}
