using System.Globalization;
using System.Text.Json.Nodes;
using Gme.Cli.Output;
using Gme.Pipeline.Runs;

namespace Gme.Cli.Remote;

/// <summary>`gme status --url`: the newest run and its per-stage counts, from <c>GET /runs</c> and <c>GET /runs/{id}</c>.</summary>
internal static class RemoteStatus
{
    /// <summary>The counts <c>GET /runs/{id}</c> reports, in the order the stages run.</summary>
    private static readonly string[] s_counts = ["ingested", "images", "sharded", "embedded", "indexed", "failed"];

    /// <summary>Shown on the run's line, or not at all.</summary>
    private static readonly string[] s_known = ["runId", "status", "finished", "ingestDone", "error", .. s_counts];

    public static async Task<int> PrintAsync(GmeServiceClient client, bool json, CancellationToken cancellationToken)
    {
        var page = await client.GetAsync<RunList>("runs?page=1&pageSize=1", cancellationToken);
        if (page.Runs.Count == 0)
        {
            if (json)
            {
                Console.WriteLine("null");
            }
            else
            {
                Console.WriteLine($"No runs yet at {client.BaseAddress}");
            }

            return 0;
        }

        var run = page.Runs[0];
        var counts = await client.GetAsync<JsonObject>($"runs/{run.RunId}", cancellationToken);
        if (json)
        {
            Json.Print(new { run, counts });
            return 0;
        }

        Console.WriteLine($"Run {run.RunId} ({counts["status"]?.GetValue<string>() ?? run.Status}) on {run.Source}, model {run.ModelId}, collection {run.Collection}");
        if (counts["error"]?.GetValue<string>() is { Length: > 0 } error)
        {
            Console.WriteLine($"  last error: {error}");
        }

        // Whatever else the service reports about the run (validation, a stall naming its service) as it says it.
        foreach (var (name, value) in counts)
        {
            if (!s_known.Contains(name, StringComparer.Ordinal) && value is JsonValue scalar && scalar.ToString() is { Length: > 0 } text)
            {
                Console.WriteLine($"  {name}: {text}");
            }
        }

        Console.WriteLine($"service           {client.BaseAddress}");
        foreach (var name in s_counts)
        {
            var value = counts[name] is JsonValue number && number.TryGetValue<int>(out var n) ? n.ToString(CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"{name,-17} {value,8}");
        }

        Console.WriteLine($"runs              {page.Total,8}");
        return 0;
    }
}
