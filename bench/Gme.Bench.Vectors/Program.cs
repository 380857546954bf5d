using System.Diagnostics;
using System.Globalization;
using Gme.Bench.Vectors;

// Embedded vector index benchmark: exact float scan (baseline) vs binary-quantised scan + float rescoring, on clustered
// unit vectors. Usage: dotnet run -c Release --project bench/Gme.Bench.Vectors -- [points] [dims,dims,...] [queries]
var points = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var dims = args.Length > 1 ? args[1].Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray() : [1536, 512, 384];
var queries = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100;

Console.WriteLine($"points={points} queries={queries} cores={Environment.ProcessorCount} (k=10)");
Console.WriteLine("| dims | index | build s | p50 ms | p99 ms | speed-up p50 | recall@10 | filtered p50 ms | filtered speed-up | filtered recall@10 | heap MiB | disk MiB |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var d in dims)
{
    var sw = Stopwatch.StartNew();
    var data = ClusteredData.Generate(points, d, queries, seed: 42);
    var generate = sw.Elapsed;
    foreach (var row in VectorBench.Run(data))
    {
        Console.WriteLine(row);
    }

    Console.Error.WriteLine($"  ({d} dims: data generated in {generate.TotalSeconds:F1} s)");
}
