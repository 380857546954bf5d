using System.CommandLine;
using System.Globalization;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Core.Runs;
using Gme.Pipeline.Evaluation;
using Gme.Pipeline.Search;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Cli.Commands;

/// <summary>`gme eval`: precision@k, recall@k, nDCG@10 and MRR of a labelled query set, per retrieval mode.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var queries = new Option<FileInfo>("--queries") { Description = "Labelled queries: JSONL or TSV (see README)", Required = true };
        var collection = new Option<string?>("--collection") { Description = "Collection or alias to evaluate (default Gme:Collection)" };
        var mode = new Option<SearchMode[]>("--mode")
        {
            Description = "Retrieval to evaluate: hybrid, dense, lexical (repeatable; default all three)",
            AllowMultipleArgumentsPerToken = true,
        };
        var k = new Option<int>("--k") { Description = "Cut-off for precision and recall", DefaultValueFactory = _ => 10 };
        var perQuery = new Option<bool>("--per-query") { Description = "Also print each query's figures" };
        var json = new Option<bool>("--json") { Description = "Print the reports as JSON (overall and per query)" };

        var command = new Command("eval", "Measure search quality on a labelled query set");
        command.Options.Add(queries);
        command.Options.Add(collection);
        command.Options.Add(mode);
        command.Options.Add(k);
        command.Options.Add(perQuery);
        command.Options.Add(json);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var depth = result.GetValue(k);
            if (depth is < 1 or > SearchRequest.MaxTop)
            {
                throw new CliException($"--k must be between 1 and {SearchRequest.MaxTop} (got {depth})");
            }

            var set = await QuerySetReader.ReadAsync(result.GetValue(queries)!.FullName, ct);
            var modes = result.GetValue(mode) is { Length: > 0 } chosen ? chosen.Distinct().ToArray() : Enum.GetValues<SearchMode>();
            var reports = await QueryHost.RunAsync(GmeCommandLine.Common(result), async services =>
            {
                await services.GetRequiredService<RunStarter>().RefuseModelChangeAsync(ct);
                var evaluator = services.GetRequiredService<SearchEvaluator>();
                var list = new List<EvaluationReport>();
                foreach (var m in modes)
                {
                    list.Add(await evaluator.EvaluateAsync(set, m, depth, result.GetValue(collection), ct));
                }

                return list;
            }, ct);

            if (result.GetValue(json))
            {
                Json.Print(reports);
                return 0;
            }

            Print(reports, result.GetValue(perQuery));
            return 0;
        }));
        return command;
    }

    private static void Print(IReadOnlyList<EvaluationReport> reports, bool perQuery)
    {
        var k = reports[0].K;
        Console.WriteLine($"collection {reports[0].Collection}, {reports[0].Queries} queries");
        Console.WriteLine($"{"mode",-8} {"P@" + k,7} {"R@" + k,7} {"nDCG@10",8} {"MRR",7}");
        foreach (var r in reports)
        {
            Console.WriteLine($"{r.Mode,-8} {F(r.Precision),7} {F(r.Recall),7} {F(r.Ndcg10),8} {F(r.Mrr),7}");
        }

        if (!perQuery)
        {
            return;
        }

        foreach (var r in reports)
        {
            Console.WriteLine();
            Console.WriteLine($"{r.Mode}: {"P@" + k,6} {"nDCG",6} {"RR",6} {"rel",5}  query");
            foreach (var q in r.PerQuery)
            {
                Console.WriteLine($"{"",-8}{F(q.Precision),6} {F(q.Ndcg10),6} {F(q.ReciprocalRank),6} {q.TotalRelevant,5}  {q.Query}  [{q.Relevance}]");
            }
        }
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
