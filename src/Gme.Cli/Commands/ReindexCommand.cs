using System.CommandLine;
using System.Text.Json;
using Gme.Cli.Hosting;
using Gme.Core;
using Gme.Core.Ledger;
using Gme.Core.Sources;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gme.Cli.Commands;

/// <summary>
/// `gme reindex`: builds a new version of the collection (every live product embedded again with the provider, model
/// and size as configured) beside the live one, from the source of the collection's latest run; searches keep using
/// the live version until the new one is validated and passes its gate, then the alias switches. The way to a paid
/// re-embed: `gme run` never starts one from a config edit.
/// </summary>
internal static class ReindexCommand
{
    public static Command Create()
    {
        var command = new Command("reindex", "Build a new index version of the collection with the current provider settings; it goes live after validation and the quality gate");
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var common = GmeCommandLine.Common(result);
            var spec = await QueryHost.RunAsync(common, async services =>
            {
                var collection = services.GetRequiredService<IOptions<GmeOptions>>().Value.Collection;
                await using var db = await services.GetRequiredService<IDbContextFactory<LedgerDbContext>>().CreateDbContextAsync(ct);
                var source = await db.Runs.AsNoTracking()
                    .Where(r => r.Collection == collection)
                    .OrderByDescending(r => r.CreatedAt)
                    .Select(r => r.SourceJson)
                    .FirstOrDefaultAsync(ct)
                    ?? throw new CliException($"collection '{collection}' has no run in this data dir: index it first with `gme run`");
                return JsonSerializer.Deserialize<SourceSpec>(source)
                    ?? throw new CliException($"collection '{collection}': its latest run has no readable source");
            }, ct);

            // The whole catalogue goes into the new version: a pilot's limit is not carried over, and nothing is removed.
            return await RunCommand.ExecuteAsync(common, spec with { Limit = 0, AllowRemovals = false }, ct, newVersion: true);
        }));
        return command;
    }
}
