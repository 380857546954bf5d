using System.CommandLine;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Core.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Cli.Commands;

/// <summary>`gme status`: per-stage counts from the ledger.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (camelCase keys)" };
        var command = new Command("status", "Show how far the pipeline got, per stage");
        command.Options.Add(json);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var snapshot = await QueryHost.RunAsync(GmeCommandLine.Common(result),
                services => services.GetRequiredService<LedgerStatus>().ReadAsync(null, ct), ct);
            if (result.GetValue(json))
            {
                Json.Print(snapshot);
            }
            else
            {
                PrintText(snapshot);
            }

            return 0;
        }));
        return command;
    }

    private static void PrintText(StatusSnapshot s)
    {
        if (s.Run is { } run)
        {
            Console.WriteLine($"Run {run.Id} ({run.Status}) on {run.Source}, model {run.ModelId}, collection {run.Collection}");
            if (run.Error is not null)
            {
                Console.WriteLine($"  last error: {run.Error}");
            }
        }

        Console.WriteLine($"products          {s.Products,8}");
        Console.WriteLine($"rejected rows     {s.RejectedRows,8}");
        Console.WriteLine($"images downloaded {s.ImagesDownloaded,8}");
        if (s.Images is { } images && images.Ready + images.Failed > 0)
        {
            Console.WriteLine($"  cache: {images.Ready:N0} ready, {images.Failed:N0} failed, {images.StoredBytes / 1048576.0:N1} MiB stored; "
                + $"{images.ImagesPerSecond:N1} images/s, {images.BytesPerSecond / 1024:N0} KiB/s over {images.Seconds:N0} s");
        }

        Console.WriteLine($"sharded           {s.Sharded,8}");
        Console.WriteLine($"embedded          {s.Embedded,8}");
        Console.WriteLine($"indexed           {s.Indexed,8}");
        Console.WriteLine($"failed            {s.Failed,8}");
        foreach (var (reason, count) in s.FailuresByReason)
        {
            Console.WriteLine($"  {count,6}  {reason}");
        }
    }
}
