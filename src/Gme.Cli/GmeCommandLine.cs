using System.CommandLine;
using Gme.Cli.Commands;
using Gme.Cli.Hosting;

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

    public static RootCommand Build()
    {
        var root = new RootCommand("Gme: embed a product catalogue (text + photo) into multimodal vectors and search it.");
        root.Options.Add(DataDir);
        root.Options.Add(Verbose);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(EstimateCommand.Create());
        root.Subcommands.Add(CleanupCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        return root;
    }

    public static CommonOptions Common(ParseResult result) =>
        new(result.GetValue(DataDir) ?? "gme-data", result.GetValue(Verbose));
}
