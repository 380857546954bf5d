using System.CommandLine;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Cli.Remote;
using Gme.Core.Runs;
using Gme.Pipeline;
using Gme.Pipeline.Search;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gme.Cli.Commands;

/// <summary>`gme search`: text, image or "similar to" search, through the same code as the HTTP API.</summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var text = new Argument<string?>("text") { Description = "What to look for", Arity = ArgumentArity.ZeroOrOne };
        var image = new Option<FileInfo?>("--image") { Description = "Search with a photo" };
        var similar = new Option<string?>("--similar") { Description = "Find products similar to this product id" };
        var filter = new Option<string[]>("--filter") { Description = "Keep only products whose field equals a value: key=value (repeatable)" };
        var top = new Option<int>("--top", "-k") { Description = $"Number of results (1-{SearchRequest.MaxTop})", DefaultValueFactory = _ => 10 };
        var mode = new Option<SearchMode>("--mode")
        {
            Description = "Text retrieval: hybrid (words and meaning, fused), dense (meaning) or lexical (words, BM25); photos and --similar are dense",
            DefaultValueFactory = _ => SearchMode.Hybrid,
        };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of {productId, score, payload}" };

        var url = RemoteOptions.Url();
        var apiKey = RemoteOptions.ApiKey();
        var command = new Command("search", "Search the indexed catalogue (here, or with --url on a running search service)");
        command.Arguments.Add(text);
        command.Options.Add(image);
        command.Options.Add(similar);
        command.Options.Add(filter);
        command.Options.Add(top);
        command.Options.Add(mode);
        command.Options.Add(json);
        command.Options.Add(url);
        command.Options.Add(apiKey);
        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var filters = result.GetValue(filter) ?? [];
            using var client = RemoteOptions.Client(result, url, apiKey);
            var hits = client is not null
                ? await RemoteSearch.SearchAsync(client, result.GetValue(text), result.GetValue(image), result.GetValue(similar), filters,
                    result.GetValue(top), result.GetValue(mode), ct)
                : await QueryHost.RunAsync(GmeCommandLine.Common(result), async services =>
            {
                // The API's check: an unknown key is an error naming the known ones, not an empty answer.
                var request = new SearchRequest
                {
                    Text = result.GetValue(text),
                    ImagePath = result.GetValue(image)?.FullName,
                    SimilarTo = result.GetValue(similar),
                    Filters = SearchFilters.Parse(filters, services.GetRequiredService<IOptions<IndexerOptions>>().Value.KeywordIndexes),
                    Top = result.GetValue(top),
                    Mode = result.GetValue(mode),
                };
                // Vectors of another model in this data dir would answer nonsense: refuse, as run does.
                await services.GetRequiredService<RunStarter>().RefuseModelChangeAsync(ct);
                return await services.GetRequiredService<ProductSearch>().SearchAsync(request, ct);
            }, ct);
            if (result.GetValue(json))
            {
                Json.Print(hits);
            }
            else
            {
                PrintText(hits);
            }

            return 0;
        }));
        return command;
    }

    private static void PrintText(IReadOnlyList<SearchHit> hits)
    {
        if (hits.Count == 0)
        {
            Console.WriteLine("No results.");
            return;
        }

        var rank = 1;
        foreach (var hit in hits)
        {
            var name = hit.Payload.GetValueOrDefault("name") ?? hit.Payload.GetValueOrDefault("prod_name") ?? "";
            Console.WriteLine($"{rank++,3}. {hit.Score,8:F4}  {hit.ProductId,-14} {name}");
        }
    }
}
