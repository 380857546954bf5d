using System.CommandLine;
using System.Globalization;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Core;
using Gme.Core.Ledger;
using Gme.Pipeline.Versions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gme.Cli.Commands;

/// <summary>
/// `gme collections list|switch|rollback|prune`: a collection's index versions (issue 13). Every change goes through
/// <see cref="IndexVersions"/>, the one owner of version state.
/// </summary>
internal static class CollectionsCommand
{
    public static Command Create()
    {
        var command = new Command("collections", "Index versions of a collection: list, switch, rollback, prune");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Switch());
        command.Subcommands.Add(Rollback());
        command.Subcommands.Add(Prune());
        return command;
    }

    /// <summary>The line a run or reindex ends with about the version it built.</summary>
    public static string Outcome(CollectionVersionEntity version) => version.State switch
    {
        CollectionVersionState.Live => $"Version {version.Version} ({version.Physical}) is live: {version.GateSummary}",
        CollectionVersionState.Rejected =>
            $"Version {version.Version} ({version.Physical}) was NOT switched in, the live version stays: {version.GateSummary}",
        _ => $"Version {version.Version} ({version.Physical}) is {version.State.ToString().ToLowerInvariant()}",
    };

    private static Command List()
    {
        var all = new Option<bool>("--all") { Description = "Every collection of the data dir, not only the one named by --collection" };
        var json = new Option<bool>("--json") { Description = "Print the versions as JSON" };
        var command = new Command("list", "The collection's versions: live marker, points, model, created, gate result");
        command.Options.Add(all);
        command.Options.Add(json);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var listings = await QueryHost.RunAsync(GmeCommandLine.Common(result), services =>
                services.GetRequiredService<IndexVersions>().ListAsync(result.GetValue(all) ? null : CollectionOf(services), ct), ct);
            if (result.GetValue(json))
            {
                Json.Print(listings.Select(l => new
                {
                    l.Version.Collection,
                    l.Version.Version,
                    l.Version.Physical,
                    Live = l.Version.State == CollectionVersionState.Live,
                    State = l.Version.State.ToString().ToLowerInvariant(),
                    l.Points,
                    l.Version.Provider,
                    l.Version.ModelId,
                    l.Version.CreatedAt,
                    l.Version.LiveAt,
                    l.Version.GatePassed,
                    l.Version.GateSummary,
                    l.Version.Ndcg10,
                    l.Version.Precision10,
                }).ToList());
                return 0;
            }

            if (listings.Count == 0)
            {
                Console.WriteLine("No versions recorded yet (a collection gets version 1 when its first run is validated).");
                return 0;
            }

            Console.WriteLine($"  {"version",-24} {"state",-9} {"points",8} {"model",-44} {"created (UTC)",-17} gate");
            foreach (var (v, points) in listings)
            {
                var marker = v.State == CollectionVersionState.Live ? "*" : " ";
                var gate = v.GatePassed switch { true => "passed", false => "FAILED", null => "-" };
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{marker} {v.Physical,-24} {v.State.ToString().ToLowerInvariant(),-9} {points?.ToString(CultureInfo.InvariantCulture) ?? "gone",8} {v.ModelId,-44} {v.CreatedAt:yyyy-MM-dd HH:mm} {gate}: {v.GateSummary ?? ""}"));
            }

            return 0;
        }));
        return command;
    }

    private static Command Switch()
    {
        var version = new Argument<int>("version") { Description = "The version number to make live (as `gme collections list` shows it)" };
        var command = new Command("switch", "Make a validated version live (the alias switches in one step)");
        command.Arguments.Add(version);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var live = await QueryHost.RunAsync(GmeCommandLine.Common(result), services =>
                services.GetRequiredService<IndexVersions>().SwitchAsync(CollectionOf(services), result.GetValue(version), ct), ct);
            Console.WriteLine($"'{live.Collection}' now answers from version {live.Version} ({live.Physical}, {live.ModelId})");
            return 0;
        }));
        return command;
    }

    private static Command Rollback()
    {
        var command = new Command("rollback", "Make the version that was live before the current one live again");
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var live = await QueryHost.RunAsync(GmeCommandLine.Common(result), services =>
                services.GetRequiredService<IndexVersions>().RollbackAsync(CollectionOf(services), ct), ct);
            Console.WriteLine($"'{live.Collection}' rolled back to version {live.Version} ({live.Physical}, {live.ModelId})");
            return 0;
        }));
        return command;
    }

    private static Command Prune()
    {
        var command = new Command("prune", "Delete the versions that are neither live nor being built (their collections in the index)");
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var pruned = await QueryHost.RunAsync(GmeCommandLine.Common(result), services =>
                services.GetRequiredService<IndexVersions>().PruneAsync(CollectionOf(services), ct), ct);
            Console.WriteLine(pruned.Count == 0
                ? "Nothing to prune."
                : $"Pruned {pruned.Count} versions: {string.Join(", ", pruned.Select(v => v.Physical))}");
            return 0;
        }));
        return command;
    }

    private static string CollectionOf(IServiceProvider services) => services.GetRequiredService<IOptions<GmeOptions>>().Value.Collection;
}
