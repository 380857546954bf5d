using System.CommandLine;
using Gme.Cli.Commands;
using Gme.Cli.Hosting;
using Gme.Core;

namespace Gme.Cli;

/// <summary>The `gme` command tree: verb commands sharing --data-dir and --verbose.</summary>
internal static class GmeCommandLine
{
    public static readonly Option<string> DataDir = new("--data-dir")
    {
        Description = "Folder holding the ledger, image cache, Parquet vectors and index",
        DefaultValueFactory = _ => "gme-data",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log what each stage does (to standard error)",
        Recursive = true,
    };

    public static readonly Option<string?> Collection = new("--collection")
    {
        Description = "The catalogue to work on: its collection in the index (letters, digits, '_' and '-'; default Gme:Collection, 'products'). "
            + "Runs of different collections keep their products apart: a snapshot only removes products of its own collection",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Gme: embed a product catalogue (text + photo) into multimodal vectors and search it.");
        root.Options.Add(DataDir);
        root.Options.Add(Verbose);
        root.Options.Add(Collection);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(EstimateCommand.Create());
        root.Subcommands.Add(CleanupCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(ReindexCommand.Create());
        root.Subcommands.Add(CollectionsCommand.Create());
        return root;
    }

    public static CommonOptions Common(ParseResult result)
    {
        var collection = result.GetValue(Collection);
        if (collection is not null && !GmeOptions.IsValidCollectionName(collection))
        {
            throw new CliException($"--collection '{collection}': {GmeOptions.CollectionNameRule}");
        }

        return new(result.GetValue(DataDir) ?? "gme-data", result.GetValue(Verbose), collection);
    }
}
