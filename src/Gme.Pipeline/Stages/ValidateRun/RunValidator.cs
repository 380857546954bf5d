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
        var indexed = await (
                from p in db.Products
                where p.Stage == ProductStage.Indexed && !p.Failed && p.RemovedInRunId == null
                join r in db.Runs on p.LastRunId equals r.Id
                where r.Collection == run.Collection
                select new { p.Id, p.VectorFileId })
            .ToListAsync(cancellationToken);
        if (store is QdrantVectorStore qdrant)
        {
            // The load deferred HNSW building (stage 6); validate the real index, so build it and wait for green.
            await qdrant.EndBulkLoadAsync(target, TimeSpan.FromHours(1), cancellationToken);
        }

        var storePoints = await store.CountAsync(target, null, cancellationToken);

        var (parquetRows, quality) = await CheckVectorFilesAsync(db, indexed.ToDictionary(p => p.Id, p => p.VectorFileId!, StringComparer.Ordinal), cancellationToken);
        if (parquetRows != indexed.Count)
        {
            problems.Add($"ledger has {indexed.Count} indexed products but the Parquet files hold {parquetRows} current vectors");
        }

        if (storePoints != indexed.Count)
        {
            problems.Add($"ledger has {indexed.Count} indexed products but collection '{target}' holds {storePoints} points");
        }

        if (runIndexed + runFailed != runProducts)
        {
            problems.Add($"{runProducts - runIndexed - runFailed} products of the run are neither indexed nor failed");
        }

        if (quality.Bad > 0)
        {
            problems.Add($"{quality.Bad} stored vectors are unsound (e.g. {string.Join("; ", quality.Examples)})");
        }

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
            Counts = new ValidationCounts(runProducts, runIndexed, runFailed, rejected, indexed.Count, parquetRows, storePoints),
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

    private async Task<(int Rows, VectorQuality Quality)> CheckVectorFilesAsync(
        LedgerDbContext db, Dictionary<string, string> currentFileByProduct, CancellationToken ct)
    {
        var fileIds = currentFileByProduct.Values.Distinct().ToList();
        var files = await db.VectorFiles.AsNoTracking().Where(f => fileIds.Contains(f.Id)).ToListAsync(ct);
        var dims = provider.Spaces.ToDictionary(s => s.Name, s => s.Dimensions);
        int rows = 0, checkedCount = 0, bad = 0;
        var examples = new List<string>();
        foreach (var file in files)
        {
            if (!File.Exists(file.Path))
            {
                // Reported as a finding, not thrown: the data dir is damaged, and `gme doctor --repair` re-queues them.
                bad++;
                examples.Add($"vector file {file.Path} is missing (data dir damaged; run `gme doctor`)");
                continue;
            }

            await foreach (var row in VectorFileReader.ReadRowsAsync(file.Path, ct))
            {
                if (!currentFileByProduct.TryGetValue(row.ProductId, out var current) || current != file.Id)
                {
                    continue;
                }

                rows++;
                foreach (var (name, vector) in row.Vectors)
                {
                    checkedCount++;
                    var problem = dims.TryGetValue(name, out var d) ? VectorValidator.Check(vector, d) : $"unknown vector '{name}'";
                    if (problem is not null)
                    {
                        bad++;
                        if (examples.Count < 5)
                        {
                            examples.Add($"{row.ProductId}/{name}: {problem}");
                        }
                    }
                }
            }
        }

        return (rows, new VectorQuality(checkedCount, bad, examples));
    }

    private async Task<List<SelfSearchResult>> SelfSearchAsync(LedgerDbContext db, RunEntity run, string collection, CancellationToken ct)
    {
        var ids = await db.Products.AsNoTracking()
            .Where(p => p.LastRunId == run.Id && p.Stage == ProductStage.Indexed && !p.Failed)
            .OrderBy(p => p.Id).Select(p => p.Id).ToListAsync(ct);
        var random = new Random(run.Id.GetHashCode());
        var sample = ids.OrderBy(_ => random.Next()).Take(options.Value.ValidationSample).ToList();
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
