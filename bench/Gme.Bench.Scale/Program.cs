using System.Globalization;
using Gme.Bench.Scale;
using Gme.Tests.Gemini;

// End-to-end scale benchmark (issue 15): N products made from ../shared/datasets/hm-sample, photos on a loopback
// server, the Gemini provider against the in-process fake Batch API, the real pipeline as a `gme run` child process.
//   dotnet run -c Release --project bench/Gme.Bench.Scale -- [products=105000] [--keep]
// Prints wall time, per-stage products/s, the pipeline's peak RSS, disk by folder of the data dir, stage overlap.
var products = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 105_000;
var keep = args.Contains("--keep");
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
// SIGTERM too: cancelling kills the `gme run` child, which would otherwise outlive the bench.
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
var ct = cts.Token;

var sample = BenchPaths.HmSample();
var work = Path.Combine(Path.GetTempPath(), $"gme-scale-{products}");
if (Directory.Exists(work))
{
    Directory.Delete(work, recursive: true);
}

var data = Path.Combine(work, "data");
Directory.CreateDirectory(data);
var catalogue = Path.Combine(work, "catalogue.csv");

await using var photos = await PhotoServer.StartAsync(Path.Combine(sample, "images"), ct);
var distinct = await ScaleCatalogue.WriteAsync(Path.Combine(sample, "products.csv"), catalogue, products, photos.BaseAddress, ct);
const string ApiKey = "AIzaSyBENCH00000000000000000000000000BENCH";
await using var gemini = await FakeGeminiServer.StartAsync(ApiKey, cancellationToken: ct);
gemini.ForgetsInputs = true;
Console.WriteLine($"{products:N0} products ({distinct:N0} distinct photos and texts, cycled); catalogue {new FileInfo(catalogue).Length / 1e6:F1} MB; data dir {data}");

var run = await PipelineProcess.RunAsync(BenchPaths.CliDll(), PipelineProcess.GeminiSettings(gemini, ApiKey),
    ["run", "--source", catalogue, "--data-dir", data], ct);

ScaleReport.Print(products, run, DiskUsage.ByFolder(data), gemini);
if (!keep)
{
    Directory.Delete(work, recursive: true);
}

return run.ExitCode;
