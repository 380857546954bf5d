using System.Globalization;
using Gme.Core.Lexical;
using Gme.Onnx;
using Microsoft.Extensions.Options;
using Gme.Pipeline.Evaluation;
using Gme.Pipeline.Search;
using Gme.Shared;

namespace Gme.Bench.Search;

/// <summary>Every local text model x document text format x retrieval mode on a labelled set: P@10, nDCG@10, MRR, embed cost.</summary>
internal static class QualityBench
{
    /// <summary>
    /// The lexical settings, defaults unless GME_LEXICAL_FIELDS=name=3,product_type=2,..., GME_FUSION=rrf|dbsf,
    /// GME_RRF_K=N or GME_SYNONYMS=0 try others.
    /// </summary>
    private static LexicalEncoder Lexical()
    {
        var options = new LexicalOptions();
        if (Environment.GetEnvironmentVariable("GME_LEXICAL_FIELDS") is { Length: > 0 } fields)
        {
            options.FieldWeights = [];
            foreach (var pair in fields.Split(','))
            {
                var parts = pair.Split('=');
                options.FieldWeights[parts[0]] = double.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }

        if (Environment.GetEnvironmentVariable("GME_FUSION") is { Length: > 0 } fusion)
        {
            options.Fusion = Enum.Parse<Gme.Core.Vectors.FusionMethod>(fusion, ignoreCase: true);
        }

        if (Environment.GetEnvironmentVariable("GME_RRF_K") is { Length: > 0 } k)
        {
            options.RrfK = int.Parse(k, CultureInfo.InvariantCulture);
        }

        if (Environment.GetEnvironmentVariable("GME_SYNONYMS") == "0")
        {
            options.Synonyms = [];
        }

        return new LexicalEncoder(Options.Create(options));
    }

    public static async Task<int> RunAsync(string csv, string queriesPath, string[]? only)
    {
        var queries = await QuerySetReader.ReadAsync(queriesPath);
        Console.WriteLine($"{queries.Count} queries, {csv}");
        Console.WriteLine("| text model | text format | mode | P@10 | nDCG@10 | MRR | embed ms/product |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var model in Enum.GetValues<LocalTextModel>())
        {
            foreach (var format in HmSearchQuality.Formats.Keys)
            {
                if (only is not null && !only.Contains($"{model}:{format}", StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                using var index = await HmSearchQuality.BuildAsync(csv, model, format, CancellationToken.None, Lexical());
                foreach (var mode in Enum.GetValues<SearchMode>())
                {
                    var report = await index.Evaluator.EvaluateAsync(queries, mode);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {model} | {format} | {mode.ToString().ToLowerInvariant()} | {report.Precision:F3} | {report.Ndcg10:F3} | {report.Mrr:F3} | {index.EmbedMillisecondsPerProduct:F2} |"));
                    if (Environment.GetEnvironmentVariable("GME_PER_QUERY") == "1")
                    {
                        foreach (var q in report.PerQuery.Where(q => q.Precision < 0.8))
                        {
                            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {mode} {q.Precision:F1} {q.Query} [{q.Relevance}]"));
                        }
                    }
                }
            }
        }

        return 0;
    }
}
