using Gme.Bench.Images;

// Image acquisition benchmarks (not tests). Usage:
//   dotnet run -c Release --project bench/Gme.Bench.Images -- throughput [images=3200] [latencyMs=50] [concurrency=32] [photoSide=64]
//   dotnet run -c Release --project bench/Gme.Bench.Images -- cpu [imageDir=/work/shared/datasets/hm-sample/images]
//   dotnet run -c Release --project bench/Gme.Bench.Images -- gen-parquet FILE [rows=105000]
//   dotnet run -c Release --project bench/Gme.Bench.Images -- parquet FILE
var mode = args.Length > 0 ? args[0] : "throughput";
return mode switch
{
    "throughput" => await ThroughputBench.RunAsync(args.Skip(1).ToArray()),
    "cpu" => await CpuBench.RunAsync(args.Skip(1).ToArray()),
    "gen-parquet" => await ParquetBench.GenerateAsync(args.Skip(1).ToArray()),
    "parquet" => await ParquetBench.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Gme.Bench.Images throughput|cpu|gen-parquet|parquet [args]");
    return 2;
}
