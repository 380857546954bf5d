using Gme.Core;
using Gme.Core.Vectors;
using Gme.Pipeline.Search;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Evaluation;

/// <summary>
/// Runs a labelled query set through <see cref="ProductSearch"/> (the code behind `gme search` and the API) and scores
/// each result list. Relevance by attribute judgment is read from the hits' payloads; the number of relevant products
/// (for recall and the ideal DCG) is counted in the store with the judgment as a filter.
/// </summary>
public sealed class SearchEvaluator(ProductSearch search, IVectorStore store, IOptions<GmeOptions> options)
{
    public const int NdcgDepth = 10;

    public async Task<EvaluationReport> EvaluateAsync(
        IReadOnlyList<LabelledQuery> queries,
        SearchMode mode,
        int k = 10,
        string? collection = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        collection ??= options.Value.Collection;
        var depth = Math.Min(SearchRequest.MaxTop, Math.Max(k, NdcgDepth));
        var perQuery = new List<QueryEvaluation>(queries.Count);
        foreach (var query in queries)
        {
            var hits = await search.SearchAsync(new SearchRequest
            {
                Text = query.Text,
                ImagePath = query.ImagePath,
                Top = depth,
                Mode = mode,
                Collection = collection,
            }, cancellationToken);

            var ids = query.RelevantIds.ToHashSet(StringComparer.Ordinal);
            var relevant = hits
                .Select(h => query.Judgment is { } judgment ? judgment.Matches(h.Payload) : ids.Contains(h.ProductId))
                .ToList();
            var total = query.Judgment is { } j
                ? await store.CountAsync(collection, j.ToFilter(), cancellationToken)
                : ids.Count;

            perQuery.Add(new QueryEvaluation(
                query.Label,
                query.Judgment?.ToString() ?? $"{ids.Count} ids",
                total,
                RankingMetrics.PrecisionAt(relevant, k),
                RankingMetrics.RecallAt(relevant, k, total),
                RankingMetrics.NdcgAt(relevant, NdcgDepth, total),
                RankingMetrics.ReciprocalRank(relevant),
                hits.Select(h => h.ProductId).Take(k).ToList()));
        }

        return new EvaluationReport(
            collection,
            mode.ToString().ToLowerInvariant(),
            k,
            perQuery.Count,
            Mean(perQuery, q => q.Precision),
            Mean(perQuery, q => q.Recall),
            Mean(perQuery, q => q.Ndcg10),
            Mean(perQuery, q => q.ReciprocalRank),
            perQuery);
    }

    private static double Mean(List<QueryEvaluation> rows, Func<QueryEvaluation, double> metric) =>
        rows.Count == 0 ? 0 : rows.Average(metric);
}
