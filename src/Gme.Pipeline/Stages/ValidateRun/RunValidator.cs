using System.Text.Json;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Storage;
using Gme.Core.VectorFiles;
using Gme.Core.Vectors;
using Gme.Pipeline.Quality;
using Gme.Pipeline.Search;
using Gme.VectorStores.Qdrant;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Stage 8: checks that ledger, Parquet files and vector store agree, that every stored vector is sound, that
/// products find themselves (self-search top-1 on a sample) and that a few text queries land on the right type.
/// </summary>
public sealed class RunValidator(
    IDbContextFactory<LedgerDbContext> dbFactory,
    IVectorStore store,
    IEmbeddingProvider provider,
    ProductSearch search,
    QueryEmbedders queries,
    DataPaths paths,
    IOptions<IndexerOptions> options,
    IQualityGate gate,
    Versions.IndexVersions versions,
    TimeProvider clock)
{
    /// <summary>Results read per self-search query.</summary>
    private const int SelfSearchPage = 10;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<ValidationReport> ValidateAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = dbFactory.CreateDbContext();
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken)
            ?? throw new InvalidOperationException($"Run {runId} is not in the ledger.");
        var problems = new List<string>();

        // A run that builds a new version is validated on that version, not on the live one searches still use.
        var target = await Versions.IndexVersions.TargetOfAsync(db, run, cancellationToken);

        var runProducts = await db.Products.CountAsync(p => p.LastRunId == runId, cancellationToken);
        var runIndexed = await db.Products.CountAsync(p => p.LastRunId == runId && p.Stage == ProductStage.Indexed && !p.Failed, cancellationToken);
        var runFailed = await db.Products.CountAsync(p => p.LastRunId == runId && p.Failed, cancellationToken);
        var rejected = await db.RejectedRows.CountAsync(r => r.RunId == runId, cancellationToken);
        // The live catalogue of this run's collection: products a later snapshot removed are out of the index and the
        // current vector files, and other collections' products are in their own.
        // Counted and read file by file, never listed whole: at 105k products the list was tens of MB at the peak.
        var indexed =
            from p in db.Products
            where p.Stage == ProductStage.Indexed && !p.Failed && p.RemovedInRunId == null
            join r in db.Runs on p.LastRunId equals r.Id
            where r.Collection == run.Collection
            select p;
        if (store is QdrantVectorStore qdrant)
        {
            // The load deferred HNSW building (stage 6); validate the real index, so build it and wait for green.
            await qdrant.EndBulkLoadAsync(target, TimeSpan.FromHours(1), cancellationToken);
        }

        var storePoints = await store.CountAsync(target, null, cancellationToken);

        var (indexedCount, parquetRows, quality) = await CheckVectorFilesAsync(db, indexed, cancellationToken);
        if (parquetRows != indexedCount)
        {
            problems.Add($"ledger has {indexedCount} indexed products but the Parquet files hold {parquetRows} current vectors");
        }

        if (storePoints != indexedCount)
        {
            problems.Add($"ledger has {indexedCount} indexed products but collection '{target}' holds {storePoints} points");
        }

        if (runIndexed + runFailed != runProducts)
        {
            problems.Add($"{runProducts - runIndexed - runFailed} products of the run are neither indexed nor failed");
        }

        if (quality.Bad > 0)
        {
            problems.Add($"{quality.Bad} stored vectors are unsound (e.g. {string.Join("; ", quality.Examples)})");
        }

        // The self-search sample and the text queries read vectors from all over the collection once each.
        using var oneOff = OneOffReads.Begin();
        var selfSearch = await SelfSearchAsync(db, run, target, cancellationToken);
        foreach (var result in selfSearch.Where(r => r.Rate < options.Value.MinSelfSearchTop1))
        {
            problems.Add($"self-search top-1 on '{result.Vector}' is {result.Rate:P1}, below {options.Value.MinSelfSearchTop1:P0}");
        }

        // Last, on a validated index: the gate judges search quality (or says it measured none).
        var live = target == run.Collection ? null : await versions.LiveAsync(run.Collection, cancellationToken);
        var verdict = await gate.EvaluateAsync(
            new QualityGateRequest(runId, target, live?.Physical) { Collection = run.Collection, LiveNdcg10 = live?.Ndcg10 },
            cancellationToken);
        if (!verdict.Passed)
        {
            problems.Add($"quality gate: {verdict.Summary}");
        }

        var report = new ValidationReport
        {
            QualityGate = verdict,
            RunId = runId,
            Collection = target,
            ModelId = provider.ModelId,
            ValidatedAt = clock.GetUtcNow().UtcDateTime,
            Passed = problems.Count == 0,
            Problems = problems,
            Counts = new ValidationCounts(runProducts, runIndexed, runFailed, rejected, indexedCount, parquetRows, storePoints),
            Vectors = quality,
            SelfSearch = selfSearch,
            TextQueries = await TextQueriesAsync(db, runId, target, cancellationToken),
        };
        return report;
    }

    /// <summary>Saves the report atomically under reports/ and returns its path.</summary>
    public async Task<string> SaveAsync(ValidationReport report, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(paths.Reports, $"validation-{report.RunId:N}.json");
        await AtomicFile.WriteAsync(path, s => JsonSerializer.SerializeAsync(s, report, s_json, cancellationToken), cancellationToken);
        return path;
    }

    public static string ToJson(ValidationReport report) => JsonSerializer.Serialize(report, s_json);

    /// <summary>Reads a saved report back.</summary>
    public static async Task<ValidationReport> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<ValidationReport>(stream, s_json, cancellationToken)
            ?? throw new InvalidDataException($"{path} is not a validation report.");
    }

    /// <summary>
    /// Counts the <paramref name="indexed"/> products, and counts and checks the current rows of each file their vectors
    /// are in, in one pass over them.
    /// </summary>
    private async Task<(int Indexed, int Rows, VectorQuality Quality)> CheckVectorFilesAsync(
        LedgerDbContext db, IQueryable<ProductEntity> indexed, CancellationToken ct)
    {
        // Every vector file row (one per shard: tens for a 100k catalogue); the products below pick theirs.
        var files = await db.VectorFiles.AsNoTracking().ToDictionaryAsync(f => f.Id, StringComparer.Ordinal, ct);
        var tally = new VectorTally(provider.Spaces.ToDictionary(s => s.Name, s => s.Dimensions));

        // The products stream in file order, so only one file's ids (a shard's worth) are held at a time.
        var current = new HashSet<string>(StringComparer.Ordinal);
        string? fileId = null;
        var count = 0;
        var products = indexed.OrderBy(p => p.VectorFileId).Select(p => new { p.Id, p.VectorFileId }).AsAsyncEnumerable();
        await foreach (var product in products.WithCancellation(ct))
        {
            if (product.VectorFileId != fileId)
            {
                await CheckFileAsync(files, fileId, current, tally, ct);
                fileId = product.VectorFileId;
                current.Clear();
            }

            current.Add(product.Id);
            count++;
        }

        await CheckFileAsync(files, fileId, current, tally, ct);
        return (count, tally.Rows, new VectorQuality(tally.Checked, tally.Bad, tally.Examples));
    }

    private static async Task CheckFileAsync(
        Dictionary<string, VectorFileEntity> files, string? fileId, HashSet<string> current, VectorTally tally, CancellationToken ct)
    {
        if (fileId is null || !files.TryGetValue(fileId, out var file))
        {
            return;
        }

        if (!File.Exists(file.Path))
        {
            // Reported as a finding, not thrown: the data dir is damaged, and `gme doctor --repair` re-queues them.
            tally.Missing(file.Path);
            return;
        }

        await foreach (var row in VectorFileReader.ReadRowsAsync(file.Path, ct))
        {
            if (current.Contains(row.ProductId))
            {
                tally.Check(row);
            }
        }
    }

    /// <summary>What the vector files' check found so far.</summary>
    private sealed class VectorTally(Dictionary<string, int> dimensions)
    {
        public int Rows { get; private set; }

        public int Checked { get; private set; }

        public int Bad { get; private set; }

        public List<string> Examples { get; } = [];

        public void Missing(string path)
        {
            Bad++;
            Examples.Add($"vector file {path} is missing (data dir damaged; run `gme doctor`)");
        }

        public void Check(VectorRow row)
        {
            Rows++;
            foreach (var (name, vector) in row.Vectors)
            {
                Checked++;
                var problem = dimensions.TryGetValue(name, out var d) ? VectorValidator.Check(vector, d) : $"unknown vector '{name}'";
                if (problem is not null)
                {
                    Bad++;
                    if (Examples.Count < 5)
                    {
                        Examples.Add($"{row.ProductId}/{name}: {problem}");
                    }
                }
            }
        }
    }

    private async Task<List<SelfSearchResult>> SelfSearchAsync(LedgerDbContext db, RunEntity run, string collection, CancellationToken ct)
    {
        // A seeded reservoir sample over the streamed ids: the same sample on every validation of the run, and memory
        // for the sample only, not for every id of the catalogue.
        var random = new Random(run.Id.GetHashCode());
        var size = options.Value.ValidationSample;
        var sample = new List<string>(Math.Min(size, 4096));
        var seen = 0;
        var ids = db.Products.AsNoTracking()
            .Where(p => p.LastRunId == run.Id && p.Stage == ProductStage.Indexed && !p.Failed)
            .OrderBy(p => p.Id).Select(p => p.Id).AsAsyncEnumerable();
        await foreach (var id in ids.WithCancellation(ct))
        {
            seen++;
            if (sample.Count < size)
            {
                sample.Add(id);
            }
            else if (random.Next(seen) is var j && j < size)
            {
                sample[j] = id;
            }
        }

        var hits = provider.Spaces.ToDictionary(s => s.Name, _ => 0);
        foreach (var chunk in sample.Chunk(64))
        {
            var points = await store.RetrieveAsync(collection, chunk.Select(PointIds.FromProductId).ToList(), withVectors: true, ct);
            foreach (var point in points)
            {
                foreach (var (name, vector) in point.Vectors)
                {
                    var results = await store.SearchAsync(collection, name, vector, SelfSearchPage, null, ct);
                    if (IsTop1(point.Id, results, SelfSearchPage))
                    {
                        hits[name]++;
                    }
                }
            }
        }

        return provider.Spaces
            .Select(s => new SelfSearchResult(s.Name, sample.Count, hits[s.Name], sample.Count == 0 ? 1.0 : (double)hits[s.Name] / sample.Count))
            .ToList();
    }

    /// <summary>
    /// First, or tied with the first at the same score: identical vectors (products sharing one photo, the variants of
    /// a catalogue) cannot be told apart by any index. When the whole page is one tie, more products share the vector
    /// than a page holds and the product is among them without being on the page; that is a hit too.
    /// </summary>
    internal static bool IsTop1(Guid id, IReadOnlyList<ScoredPoint> results, int page)
    {
        if (results.Count == 0)
        {
            return false;
        }

        var best = results[0].Score;
        var tied = results.TakeWhile(r => best - r.Score <= 1e-5f).ToList();
        return tied.Any(r => r.Id == id) || (tied.Count >= page && results.Count >= page);
    }

    private async Task<List<TextQueryCheck>> TextQueriesAsync(LedgerDbContext db, Guid runId, string collection, CancellationToken ct)
    {
        if (!queries.Spaces.Any(s => s.Text is not null))
        {
            return [];
        }

        var payloads = await db.Products.AsNoTracking()
            .Where(p => p.LastRunId == runId && p.Stage == ProductStage.Indexed && !p.Failed)
            .OrderBy(p => p.Id).Select(p => p.PayloadJson).Take(2000).ToListAsync(ct);
        var samples = payloads
            .Select(j => JsonSerializer.Deserialize<Dictionary<string, string?>>(j) ?? [])
            .Select(p => (Type: Field(p, "product_type", "product_type_name"), Colour: Field(p, "colour", "colour_group_name")))
            .Where(p => p.Type is not null)
            .DistinctBy(p => p.Type)
            .Take(5)
            .ToList();
        var checks = new List<TextQueryCheck>();
        foreach (var (type, colour) in samples)
        {
            var query = $"{colour} {type}".Trim();
            var hits = await search.SearchAsync(new SearchRequest { Text = query, Top = 5, Collection = collection }, ct);
            var hit = hits.Any(h => string.Equals(Field(h.Payload, "product_type", "product_type_name"), type, StringComparison.OrdinalIgnoreCase));
            checks.Add(new TextQueryCheck(query, type!, hit, hits.Count > 0 ? hits[0].ProductId : null));
        }

        return checks;
    }

    private static string? Field(IReadOnlyDictionary<string, string?> payload, params string[] names) =>
        names.Select(n => payload.GetValueOrDefault(n)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
