using System.CommandLine;
using System.Globalization;
using Gme.Cli.Hosting;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Gemini;
using Gme.Pipeline.Stages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Cli.Commands;

/// <summary>
/// `gme cleanup`: deletes remote storage under Gme's names that no live shard of this data dir uses (uploads and
/// results files a crash or a killed release left), then says what is still held. The end of every run does the same.
/// </summary>
internal static class CleanupCommand
{
    public static Command Create()
    {
        var command = new Command("cleanup", "Delete remote files (uploads, results) that no unfinished shard of this data dir needs");
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var (deleted, held) = await QueryHost.RunAsync<(int, (int Files, long Bytes)?)>(GmeCommandLine.Common(result), async services =>
            {
                var live = await LiveShards.ReadAsync(services.GetRequiredService<IDbContextFactory<LedgerDbContext>>(), ct);
                var deleted = await services.GetRequiredService<IEmbeddingProvider>().SweepRemoteStorageAsync(live, ct);
                var gemini = services.GetService<GeminiEmbeddingProvider>();
                (int Files, long Bytes)? held = gemini is null ? null : await gemini.RemoteHoldingsAsync(ct);
                return (deleted, held);
            }, ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"deleted {deleted} remote files"));
            if (held is { } h)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"still held: {h.Files} files, {h.Bytes:N0} bytes (of unfinished shards)"));
            }

            return 0;
        }));
        return command;
    }
}
