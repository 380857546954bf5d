using System.Diagnostics;
using Gme.Core;
using Gme.Core.Embeddings;
using Gme.Core.Lexical;
using Gme.Core.Sources;
using Gme.Core.Storage;
using Gme.Core.Vectors;
using Gme.Onnx;
using Gme.Pipeline.Evaluation;
using Gme.Pipeline.Search;
using Gme.Pipeline.Stages;
using Gme.Sources;
using Gme.VectorStores.Embedded;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gme.Shared;

/// <summary>
/// The H&amp;M sample's text side indexed in process, for measuring search quality without the whole pipeline: rows
/// read and mapped as ingest does, the document text embedded once by a local text model (in a chosen text format),
/// points upserted into an embedded store with the ingested payload, and queries answered by the real
/// <see cref="ProductSearch"/>. Used by the quality test and by the bench that picks the default model.
/// </summary>
public sealed class HmSearchQuality : IDisposable
{
    /// <summary>Document text formats measured: the ingest's own (colour and type first), the former name-first one, and a labelled one.</summary>
    public static readonly IReadOnlyDictionary<string, Func<ProductRecord, string>> Formats = new Dictionary<string, Func<ProductRecord, string>>
    {
        ["type-first"] = p => p.Text,
        ["name-first"] = p => string.Join(". ", new[]
        {
            Field(p, "name"), Field(p, "product_type"), Field(p, "colour"), Field(p, "department"), Field(p, "description"),
        }.Where(s => s.Length > 0)),
        ["labelled"] = p => string.Join(". ", new[]
        {
            $"name: {Field(p, "name")}", $"type: {Field(p, "product_type")}", $"colour: {Field(p, "colour")}",
            $"group: {Field(p, "product_group")}", $"department: {Field(p, "department")}", Field(p, "description"),
        }.Where(s => !s.EndsWith(": ", StringComparison.Ordinal))),
    };

    private readonly string _directory;
    private readonly MiniLmTextEncoder _encoder;
    private readonly EmbeddedVectorStore _store;

    private HmSearchQuality(
        string directory, MiniLmTextEncoder encoder, EmbeddedVectorStore store, double embedMsPerProduct, int products, LexicalEncoder? lexical)
    {
        _directory = directory;
        _encoder = encoder;
        _store = store;
        EmbedMillisecondsPerProduct = embedMsPerProduct;
        Products = products;
        var options = Options.Create(new GmeOptions());
        var generator = new QueryEmbeddingGenerator<string>(
            new EmbeddingGeneratorMetadata("local", null, "quality", MiniLmTextEncoder.Dimensions),
            (text, ct) => Task.FromResult(_encoder.Embed([_encoder.QueryPrefix + text], ct)[0]));
        Search = new ProductSearch(new QueryEmbedders("local", [new QuerySpace("text", Text: generator)]), store, options,
            lexical);
        Evaluator = new SearchEvaluator(Search, store, options);
    }

    public ProductSearch Search { get; }

    public SearchEvaluator Evaluator { get; }

    public double EmbedMillisecondsPerProduct { get; }

    public int Products { get; }

    public static async Task<HmSearchQuality> BuildAsync(
        string csv, LocalTextModel model, string format, CancellationToken ct, LexicalEncoder? lexical = null)
    {
        var products = new List<ProductRecord>();
        var source = new CsvDatasetSource(csv);
        var mapper = new ProductMapper(null, source.BaseDirectory);
        await foreach (var row in source.ReadRowsAsync(ct))
        {
            if (mapper.Map(row).Product is { } product)
            {
                products.Add(product);
            }
        }

        var encoder = new MiniLmTextEncoder(new LocalModelOptions { TextModel = model });
        var toText = Formats[format];
        var texts = products.Select(toText).ToList();
        encoder.Embed([texts[0]], ct); // load the model outside the timing
        var clock = Stopwatch.StartNew();
        var vectors = Cached(model, format, texts.Count) ?? encoder.Embed(texts, ct);
        var msPerProduct = clock.Elapsed.TotalMilliseconds / products.Count;
        Cache(model, format, vectors);

        var directory = Path.Combine(Path.GetTempPath(), "gme-quality-" + Guid.NewGuid().ToString("N"));
        var store = new EmbeddedVectorStore(new DataPaths(directory), NullLogger<EmbeddedVectorStore>.Instance, lexical);
        var spec = new CollectionSpec("products", new Dictionary<string, VectorSpec> { ["text"] = new(MiniLmTextEncoder.Dimensions, Distance.Cosine) }, []);
        await store.EnsureCollectionAsync(spec, ct);
        var points = products.Select((p, i) =>
        {
            var payload = p.Payload.ToDictionary(kv => kv.Key, kv => kv.Value);
            payload[PointPayload.ProductIdKey] = p.Id;
            return new VectorPoint(PointIds.FromProductId(p.Id), new Dictionary<string, float[]> { ["text"] = vectors[i] }, payload);
        }).ToList();
        await store.UpsertAsync("products", points, ct);
        return new HmSearchQuality(directory, encoder, store, msPerProduct, products.Count, lexical);
    }

    public void Dispose()
    {
        _store.Dispose();
        _encoder.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>GME_QUALITY_CACHE=DIR keeps the document vectors between bench runs (tuning the lexical side).</summary>
    private static float[][]? Cached(LocalTextModel model, string format, int count)
    {
        var path = CachePath(model, format);
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        var dims = floats.Length / count;
        return Enumerable.Range(0, count).Select(i => floats.AsSpan(i * dims, dims).ToArray()).ToArray();
    }

    private static void Cache(LocalTextModel model, string format, float[][] vectors)
    {
        if (CachePath(model, format) is { } path && !File.Exists(path))
        {
            var all = vectors.SelectMany(v => v).ToArray();
            File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(all.AsSpan()).ToArray());
        }
    }

    private static string? CachePath(LocalTextModel model, string format) =>
        Environment.GetEnvironmentVariable("GME_QUALITY_CACHE") is { Length: > 0 } dir ? Path.Combine(dir, $"{model}-{format}.f32") : null;

    private static string Field(ProductRecord product, string key) => product.Payload.GetValueOrDefault(key)?.Trim() ?? "";
}
