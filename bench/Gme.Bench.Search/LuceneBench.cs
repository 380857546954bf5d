using System.Diagnostics;
using System.Globalization;
using Gme.Core;
using Gme.Core.Embeddings;
using Gme.Core.Lexical;
using Gme.Core.Sources;
using Gme.Core.Storage;
using Gme.Core.Vectors;
using Gme.Pipeline.Evaluation;
using Gme.Pipeline.Search;
using Gme.Pipeline.Stages;
using Gme.Sources;
using Gme.VectorStores.Embedded;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gme.Bench.Search;

/// <summary>
/// Gme's own BM25 (the embedded store's lexical index) against Lucene.Net's BM25 on the H&amp;M sample: quality on
/// labelled query sets (the same judgments and metrics as `gme eval`) and query latency, measured in one run. Lucene
/// gets the same fields at the same weights (a field of weight w is indexed w times into one text field, which is what
/// Gme's field-weighted term counts amount to), BM25 k1 1.2 and b 0.75, its EnglishAnalyzer (stop words, Porter
/// stemming) and the same query synonyms at the same weight, so what differs is the engine: tokenising and stemming,
/// and Lucene's real average document length where Gme fixes one so that a product's vector depends on it alone.
/// For latency the catalogue can be copied N times (ids made unique) to reach a bench-sized index.
/// </summary>
internal static class LuceneBench
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;

    public static async Task<int> RunAsync(string csv, IReadOnlyList<string> queryFiles, int copies)
    {
        var products = await ReadAsync(csv);
        var options = new LexicalOptions();
        var encoder = new LexicalEncoder(Options.Create(options));
        using var analyzer = new EnglishAnalyzer(Version);
        Console.WriteLine($"{products.Count} products, {csv}");

        // Quality on the catalogue itself.
        using (var one = await Indexes.BuildAsync(products, 1, encoder, analyzer, options))
        {
            var gme = Evaluator(one.Store);
            var byId = products.ToDictionary(p => p.Id, p => (IReadOnlyDictionary<string, string?>)p.Payload, StringComparer.Ordinal);
            Console.WriteLine("| query set | engine | P@10 | nDCG@10 | MRR |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var file in queryFiles)
            {
                var queries = await QuerySetReader.ReadAsync(file);
                var ours = await gme.EvaluateAsync(queries, SearchMode.Lexical);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Path.GetFileName(file)} ({queries.Count}) | Gme BM25 | {ours.Precision:F3} | {ours.Ndcg10:F3} | {ours.Mrr:F3} |"));
                var (p, n, m) = EvaluateLucene(one.Searcher, analyzer, options, queries, products, byId);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Path.GetFileName(file)} ({queries.Count}) | Lucene.Net BM25 | {p:F3} | {n:F3} | {m:F3} |"));
            }
        }

        // Latency on the catalogue copied to a bench-sized index, both engines in this run.
        using var many = await Indexes.BuildAsync(products, copies, encoder, analyzer, options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"indexed {products.Count * copies} documents: Gme {many.GmeSeconds:F1} s, Lucene {many.LuceneSeconds:F1} s"));
        var texts = (await QuerySetReader.ReadAsync(queryFiles[0])).Select(q => q.Text).OfType<string>().ToList();
        var gmeTimes = await TimeAsync(texts, t => many.Store.SearchLexicalAsync("products", encoder.QueryWithSynonyms(t), 10));
        var luceneTimes = await TimeAsync(texts, t =>
        {
            many.Searcher.Search(Query(analyzer, options, t), 10);
            return Task.CompletedTask;
        });
        Console.WriteLine($"latency, {texts.Count} queries x 20, top 10, {products.Count * copies} documents, {Environment.ProcessorCount} cores:");
        Console.WriteLine("| engine | p50 ms | p99 ms |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Gme BM25 | {gmeTimes.P50:F3} | {gmeTimes.P99:F3} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Lucene.Net BM25 | {luceneTimes.P50:F3} | {luceneTimes.P99:F3} |"));
        return 0;
    }

    /// <summary>Both engines over the same documents.</summary>
    private sealed class Indexes : IDisposable
    {
        private readonly string _directory;
        private readonly RAMDirectory _lucene;
        private readonly DirectoryReader _reader;

        private Indexes(string directory, EmbeddedVectorStore store, RAMDirectory lucene, double gmeSeconds, double luceneSeconds)
        {
            _directory = directory;
            Store = store;
            _lucene = lucene;
            _reader = DirectoryReader.Open(lucene);
            Searcher = new IndexSearcher(_reader) { Similarity = new BM25Similarity(1.2f, 0.75f) };
            GmeSeconds = gmeSeconds;
            LuceneSeconds = luceneSeconds;
        }

        public EmbeddedVectorStore Store { get; }

        public IndexSearcher Searcher { get; }

        public double GmeSeconds { get; }

        public double LuceneSeconds { get; }

        public static async Task<Indexes> BuildAsync(
            List<ProductRecord> products, int copies, LexicalEncoder encoder, Analyzer analyzer, LexicalOptions options)
        {
            var directory = Path.Combine(Path.GetTempPath(), "gme-lucene-" + Guid.NewGuid().ToString("N"));
            var store = new EmbeddedVectorStore(new DataPaths(directory), NullLogger<EmbeddedVectorStore>.Instance, encoder);
            var clock = Stopwatch.StartNew();
            await LoadGmeAsync(store, products, copies);
            var gme = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var lucene = new RAMDirectory();
            LoadLucene(lucene, analyzer, options, products, copies);
            return new Indexes(directory, store, lucene, gme, clock.Elapsed.TotalSeconds);
        }

        public void Dispose()
        {
            _reader.Dispose();
            _lucene.Dispose();
            Store.Dispose();
            System.IO.Directory.Delete(_directory, recursive: true);
        }
    }

    private static async Task<List<ProductRecord>> ReadAsync(string csv)
    {
        var products = new List<ProductRecord>();
        var source = new CsvDatasetSource(csv);
        var mapper = new ProductMapper(null, source.BaseDirectory);
        await foreach (var row in source.ReadRowsAsync())
        {
            if (mapper.Map(row).Product is { } product)
            {
                products.Add(product);
            }
        }

        return products;
    }

    /// <summary>The embedded store with a token vector per product: only its lexical index is searched here.</summary>
    private static async Task LoadGmeAsync(EmbeddedVectorStore store, List<ProductRecord> products, int copies)
    {
        await store.EnsureCollectionAsync(new CollectionSpec("products", new Dictionary<string, VectorSpec> { ["text"] = new(2, Distance.Cosine) }, []));
        for (var copy = 0; copy < copies; copy++)
        {
            var points = products.Select(p =>
            {
                var id = CopyId(p.Id, copy);
                var payload = p.Payload.ToDictionary(kv => kv.Key, kv => kv.Value);
                payload[PointPayload.ProductIdKey] = id;
                return new VectorPoint(PointIds.FromProductId(id), new Dictionary<string, float[]> { ["text"] = [1f, 0f] }, payload);
            }).ToList();
            await store.UpsertAsync("products", points);
        }
    }

    private static void LoadLucene(RAMDirectory index, Analyzer analyzer, LexicalOptions options, List<ProductRecord> products, int copies)
    {
        using var writer = new IndexWriter(index, new IndexWriterConfig(Version, analyzer) { Similarity = new BM25Similarity(1.2f, 0.75f) });
        for (var copy = 0; copy < copies; copy++)
        {
            foreach (var product in products)
            {
                writer.AddDocument(new Document
                {
                    new StringField("id", CopyId(product.Id, copy), Field.Store.YES),
                    new TextField("text", WeightedText(product, options), Field.Store.NO),
                });
            }
        }

        writer.Commit();
    }

    private static string CopyId(string id, int copy) => copy == 0 ? id : $"{id}~{copy}";

    /// <summary>Each weighted field's text repeated by its (whole) weight: the field-weighted term counts Gme uses.</summary>
    private static string WeightedText(ProductRecord product, LexicalOptions options) =>
        string.Join(" . ", options.FieldWeights
            .Where(f => f.Value > 0 && product.Payload.GetValueOrDefault(f.Key) is { Length: > 0 })
            .SelectMany(f => Enumerable.Repeat(product.Payload[f.Key]!, (int)Math.Round(f.Value))));

    /// <summary>The query's analysed terms (weight 1) and its words' synonyms (at the synonym weight), OR-ed.</summary>
    private static BooleanQuery Query(Analyzer analyzer, LexicalOptions options, string text)
    {
        var query = new BooleanQuery();
        foreach (var term in Terms(analyzer, text))
        {
            query.Add(new TermQuery(new Term("text", term)), Occur.SHOULD);
        }

        foreach (var word in text.ToLowerInvariant().Split([' ', ',', '.', '\''], StringSplitOptions.RemoveEmptyEntries))
        {
            var synonyms = options.Synonyms.GetValueOrDefault(word) ?? options.Synonyms.GetValueOrDefault(word.TrimEnd('s')) ?? [];
            foreach (var term in synonyms.SelectMany(s => Terms(analyzer, s)))
            {
                query.Add(new TermQuery(new Term("text", term)) { Boost = (float)options.SynonymWeight }, Occur.SHOULD);
            }
        }

        return query;
    }

    private static List<string> Terms(Analyzer analyzer, string text)
    {
        var terms = new List<string>();
        using var stream = analyzer.GetTokenStream("text", text);
        var attribute = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            terms.Add(attribute.ToString());
        }

        stream.End();
        return terms;
    }

    private static (double Precision, double Ndcg, double Mrr) EvaluateLucene(
        IndexSearcher searcher, Analyzer analyzer, LexicalOptions options, IReadOnlyList<LabelledQuery> queries,
        List<ProductRecord> products, Dictionary<string, IReadOnlyDictionary<string, string?>> byId)
    {
        var rows = new List<(double, double, double)>();
        foreach (var query in queries)
        {
            var top = searcher.Search(Query(analyzer, options, query.Text ?? ""), SearchEvaluator.NdcgDepth);
            var ids = top.ScoreDocs.Select(d => searcher.Doc(d.Doc).Get("id")).ToList();
            var relevant = ids.Select(id => query.Judgment is { } j ? j.Matches(byId[id]) : query.RelevantIds.Contains(id)).ToList();
            var total = query.Judgment is { } judgment ? products.Count(p => judgment.Matches(p.Payload)) : query.RelevantIds.Count;
            rows.Add((RankingMetrics.PrecisionAt(relevant, 10), RankingMetrics.NdcgAt(relevant, SearchEvaluator.NdcgDepth, total),
                RankingMetrics.ReciprocalRank(relevant)));
        }

        return (rows.Average(r => r.Item1), rows.Average(r => r.Item2), rows.Average(r => r.Item3));
    }

    /// <summary>Gme's lexical search through the real evaluator (the numbers `gme eval --mode lexical` prints).</summary>
    private static SearchEvaluator Evaluator(EmbeddedVectorStore store)
    {
        var options = Options.Create(new GmeOptions());
        var never = new QueryEmbeddingGenerator<string>(
            new EmbeddingGeneratorMetadata("none", null, "none", 2),
            (_, _) => throw new InvalidOperationException("a lexical search embeds nothing"));
        var search = new ProductSearch(new QueryEmbedders("none", [new QuerySpace("text", Text: never)]), store, options);
        return new SearchEvaluator(search, store, options);
    }

    private static async Task<(double P50, double P99)> TimeAsync(List<string> texts, Func<string, Task> run)
    {
        foreach (var t in texts)
        {
            await run(t); // warm-up
        }

        var times = new List<double>(texts.Count * 20);
        for (var round = 0; round < 20; round++)
        {
            foreach (var t in texts)
            {
                var sw = Stopwatch.StartNew();
                await run(t);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return (times[times.Count / 2], times[Math.Min(times.Count - 1, (int)(times.Count * 0.99))]);
    }
}
