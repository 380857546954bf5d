using System.CommandLine;
using System.Globalization;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Cli.Remote;
using Gme.Core.Ledger;
using Gme.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Cli.Commands;

/// <summary>`gme runs`: the runs, newest first, from the ledger or (with --url) from a running service's <c>GET /runs</c>.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var page = new Option<int>("--page") { Description = "Page number, from 1", DefaultValueFactory = _ => 1 };
        var pageSize = new Option<int>("--page-size") { Description = $"Runs per page (1-{RunList.MaxPageSize})", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print the page as JSON (camelCase keys)" };
        var url = RemoteOptions.Url();
        var apiKey = RemoteOptions.ApiKey();
        var command = new Command("runs", "List the runs, newest first (here, or with --url on a running service)");
        command.Options.Add(page);
        command.Options.Add(pageSize);
        command.Options.Add(json);
        command.Options.Add(url);
        command.Options.Add(apiKey);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var (number, size) = (result.GetValue(page), result.GetValue(pageSize));
            if (number < 1)
            {
                throw new CliException($"--page {number}: give 1 or more");
            }

            if (size is < 1 or > RunList.MaxPageSize)
            {
                throw new CliException($"--page-size {size}: give 1 to {RunList.MaxPageSize}");
            }

            using var client = RemoteOptions.Client(result, url, apiKey);
            var runs = client is not null
                ? await client.GetAsync<RunList>(string.Create(CultureInfo.InvariantCulture, $"runs?page={number}&pageSize={size}"), ct)
                : await QueryHost.RunAsync(GmeCommandLine.Common(result),
                    services => RunList.ReadAsync(services.GetRequiredService<IDbContextFactory<LedgerDbContext>>(), number, size, ct), ct);
            if (result.GetValue(json))
            {
                Json.Print(runs);
            }
            else
            {
                Print(runs);
            }

            return 0;
        }));
        return command;
    }

    private static void Print(RunList list)
    {
        if (list.Runs.Count == 0)
        {
            Console.WriteLine(list.Total == 0 ? "No runs yet." : $"No runs on page {list.Page} ({list.Total} runs).");
            return;
        }

        foreach (var run in list.Runs)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.RunId}  {run.Status,-10} {run.CreatedAt:yyyy-MM-dd HH:mm:ss}Z  {run.Collection,-12} {run.Source}"));
        }

        var shown = ((list.Page - 1) * list.PageSize) + list.Runs.Count;
        Console.WriteLine($"{shown} of {list.Total} runs{(shown < list.Total ? $" (next: --page {list.Page + 1})" : "")}");
    }
}
