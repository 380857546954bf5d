using System.CommandLine;
using System.Globalization;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Cli.Remote;
using Gme.Core;
using Gme.Core.Runs;
using Gme.Core.Storage;
using Gme.Gemini;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gme.Cli.Commands;

/// <summary>`gme status`: per-stage counts from the ledger.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (camelCase keys)" };
        var url = RemoteOptions.Url();
        var apiKey = RemoteOptions.ApiKey();
        var command = new Command("status", "Show how far the pipeline got, per stage (here, or with --url on a running service)");
        command.Options.Add(json);
        command.Options.Add(url);
        command.Options.Add(apiKey);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            using (var client = RemoteOptions.Client(result, url, apiKey))
            {
                if (client is not null)
                {
                    return await RemoteStatus.PrintAsync(client, result.GetValue(json), ct);
                }
            }

            var (snapshot, spend) = await QueryHost.RunAsync(GmeCommandLine.Common(result), async services =>
                (await services.GetRequiredService<LedgerStatus>().ReadCollectionAsync(
                    services.GetRequiredService<IOptions<GmeOptions>>().Value.Collection, ct),
                 await new GeminiSpendLedger(services.GetRequiredService<DataPaths>()).ReadAllAsync(ct)), ct);
            if (result.GetValue(json))
            {
                Json.Print(snapshot);
            }
            else
            {
                PrintText(snapshot);
                PrintSpend(spend);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Gemini spend recorded per job, batch and synchronous apart, so the fallback's cost is visible.</summary>
    private static void PrintSpend(IReadOnlyList<GeminiSpendEntry> spend)
    {
        foreach (var mode in spend.GroupBy(e => (e.Mode, Kind: e.Estimated ? "estimate" : "billed")).OrderBy(g => g.Key.Mode + g.Key.Kind, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gemini {mode.Key.Mode,-6} {mode.Key.Kind,-8} {mode.Sum(e => e.Items),8} items  {mode.Sum(e => e.ActualTokens ?? e.TextTokens + e.ImageTokens),12:N0} tokens  {mode.Sum(e => e.Usd),10:F4} USD"));
        }
    }

    private static void PrintText(StatusSnapshot s)
    {
        if (s.Run is { } run)
        {
            Console.WriteLine($"Run {run.Id} ({run.Status}) on {run.Source}, model {run.ModelId}, collection {run.Collection}");
            if (run.Error is not null)
            {
                // A stalled run's error names the service with work and no consumer; it clears when that comes back.
                Console.WriteLine(run.Status == nameof(Gme.Core.Ledger.RunStatus.Stalled) ? $"  stalled: {run.Error}" : $"  last error: {run.Error}");
            }

            if (s.Sync is { } sync)
            {
                Console.WriteLine($"  {RunSummaryView.Sync(sync)}");
            }
        }

        Console.WriteLine($"collection        {s.Collection}");
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
        Console.WriteLine($"removed           {s.Removed,8}");
        foreach (var (reason, count) in s.FailuresByReason)
        {
            Console.WriteLine($"  {count,6}  {reason}");
        }

        // Until released, uploads and results occupy the account's file storage (20 GB per project).
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"remote files held {s.RemoteFilesHeld,8}  ({s.RemoteBytesHeld / 1048576.0:N1} MiB)"));
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        foreach (var stuck in s.StuckShards)
        {
            var age = now - (stuck.SubmittedAt ?? now);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  stuck: shard {stuck.ShardId} job {stuck.JobName} submitted {age.TotalHours:F1} h ago: {stuck.Error}"));
        }
    }
}
