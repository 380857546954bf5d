using System.Globalization;
using Gme.Bench.Search;

// Search quality and latency. Usage:
//   dotnet run -c Release --project bench/Gme.Bench.Search -- quality [CSV] [QUERIES]   every local text model x text format x mode
//   dotnet run -c Release --project bench/Gme.Bench.Search -- latency [POINTS] [QUERIES] dense vs lexical vs hybrid p50/p99
//   dotnet run -c Release --project bench/Gme.Bench.Search -- lucene [CSV] [QUERIES,...] [COPIES] Gme BM25 vs Lucene.Net
var command = args.Length > 0 ? args[0] : "quality";
return command switch
{
    "quality" => await QualityBench.RunAsync(
        args.Length > 1 ? args[1] : "../shared/datasets/hm-sample/products.csv",
        args.Length > 2 ? args[2] : "eval/hm-sample.jsonl",
        args.Length > 3 ? args[3].Split(',') : null),
    "latency" => await LatencyBench.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 105_000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200),
    "lucene" => await LuceneBench.RunAsync(
        args.Length > 1 ? args[1] : "../shared/datasets/hm-sample/products.csv",
        args.Length > 2 ? args[2].Split(',') : ["eval/hm-sample.jsonl", "eval/hm-sample-heldout.jsonl"],
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: quality [CSV] [QUERIES] [model:format,...] | latency [POINTS] [QUERIES] | lucene [CSV] [QUERIES,...] [COPIES]");
    return 2;
}
