using System.CommandLine;
using System.Globalization;
using Gme.Cli.Hosting;
using Gme.Cli.Output;
using Gme.Core;
using Gme.Core.Sources;
using Gme.Core.Storage;
using Gme.Gemini;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Cli.Commands;

/// <summary>
/// `gme estimate`: what embedding a catalogue with Gemini would cost, batch against synchronous, before anything is
/// sent. Reads the catalogue (or takes a product count and an average text size) and the prices from Gme:Gemini.
/// Also how long a run would take with the configured provider (<see cref="DurationEstimate"/>).
/// </summary>
internal static class EstimateCommand
{
    public static Command Create()
    {
        var sample = new Option<bool>("--sample") { Description = "Estimate the synthetic sample catalogue" };
        var products = new Option<int>("--products") { Description = "Products (sample catalogue, or with --text-tokens)", DefaultValueFactory = _ => 300 };
        var source = new Option<string?>("--source") { Description = "A local catalogue (CSV, JSONL or Parquet) or hf://owner/dataset" };
        var limit = new Option<int>("--limit") { Description = "Only the first this many products" };
        var map = new Option<string[]>("--map") { Description = "Column mapping field=column, as for `gme run`" };
        var textTokens = new Option<int?>("--text-tokens") { Description = "Skip reading: assume --products products of this many text tokens each" };
        var json = new Option<bool>("--json") { Description = "Print JSON (camelCase keys)" };

        var command = new Command("estimate", "Estimate Gemini tokens and dollars (batch vs synchronous) for a catalogue; sends nothing");
        foreach (var option in new Option[] { sample, products, source, limit, map, textTokens, json })
        {
            command.Options.Add(option);
        }

        command.SetAction((result, ct) => CliAction.RunAsync(async () =>
        {
            var common = GmeCommandLine.Common(result);
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            var options = configuration.GetSection(GeminiOptions.SectionName).Get<GeminiOptions>() ?? new GeminiOptions();
            GeminiCostEstimate estimate;
            if (result.GetValue(textTokens) is { } perProduct)
            {
                var count = result.GetValue(products);
                if (count < 1 || perProduct < 0)
                {
                    throw new CliException("--products must be 1 or more and --text-tokens 0 or more");
                }

                estimate = GeminiCostEstimate.For(options, count, (long)count * perProduct, count);
            }
            else
            {
                var spec = RunCommand.BuildSpec(result.GetValue(sample), result.GetValue(products), result.GetValue(source),
                    result.GetValue(limit), result.GetValue(map) ?? []);
                estimate = await EstimateSourceAsync(common, spec, options, ct);
            }

            if (result.GetValue(json))
            {
                Json.Print(estimate);
            }
            else
            {
                Print(estimate, options);
                // Duration for the provider a run would use (Gme:Provider, local by default), at this machine's pace.
                var provider = configuration[$"{GmeOptions.SectionName}:{nameof(GmeOptions.Provider)}"] ?? "local";
                var recorded = DurationEstimate.Read(new DataPaths(common.DataDirectory));
                Console.WriteLine($"{provider} provider: {DurationEstimate.Before(provider, estimate.Items, recorded, Environment.ProcessorCount)}");
            }

            return 0;
        }));
        return command;
    }

    private static async Task<GeminiCostEstimate> EstimateSourceAsync(CommonOptions common, SourceSpec spec, GeminiOptions options, CancellationToken ct)
    {
        // The pipeline's own source readers and mapper, so the estimate counts exactly the products a run would embed.
        using var host = CliHost.BuildPipeline(common, spec.Kind == "sample");
        var opened = host.Services.GetRequiredService<IDatasetSourceFactory>().Open(spec);
        var mapper = new ProductMapper(spec.ColumnMap, opened.BaseDirectory, spec.ImagesRoot);
        long items = 0, textTokens = 0;
        await foreach (var row in opened.ReadRowsAsync(ct))
        {
            if (spec.Limit > 0 && items >= spec.Limit)
            {
                break;
            }

            if (mapper.Map(row).Product is { } product)
            {
                items++;
                textTokens += (long)Math.Ceiling(GeminiEmbeddingProvider.DocumentText(product.Text).Length / options.CharsPerToken);
            }
        }

        return GeminiCostEstimate.For(options, items, textTokens, items);
    }

    private static void Print(GeminiCostEstimate e, GeminiOptions o)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"Gemini {o.Model}, {o.OutputDimensionality} dimensions; nothing was sent"));
        Console.WriteLine(string.Create(c, $"products          {e.Items,14:N0}"));
        Console.WriteLine(string.Create(c, $"text tokens       {e.TextTokens,14:N0}  (about {o.CharsPerToken} characters per token)"));
        Console.WriteLine(string.Create(c, $"image tokens      {e.ImageTokens,14:N0}  ({o.TokensPerImage} per image)"));
        Console.WriteLine(string.Create(c, $"total tokens      {e.TotalTokens,14:N0}"));
        Console.WriteLine(string.Create(c, $"batch API         {e.BatchUsd,14:N2} USD  (text {o.BatchTextPricePerMillion}/M, image {o.BatchImagePricePerMillion}/M)"));
        Console.WriteLine(string.Create(c, $"synchronous       {e.SyncUsd,14:N2} USD  (text {o.SyncTextPricePerMillion}/M, image {o.SyncImagePricePerMillion}/M)"));
    }
}
