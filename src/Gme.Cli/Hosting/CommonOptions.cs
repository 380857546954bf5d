namespace Gme.Cli.Hosting;

/// <summary>Options every command takes.</summary>
internal sealed record CommonOptions(string DataDirectory, bool Verbose)
{
    public string LedgerFile => Path.Combine(Path.GetFullPath(DataDirectory), "ledger.db");

    /// <summary>Read-only commands refuse to create an empty data directory by accident.</summary>
    public void RequireExistingData()
    {
        if (!File.Exists(LedgerFile))
        {
            throw new CliException($"no Gme data in '{Path.GetFullPath(DataDirectory)}': run `gme run` first, or pass --data-dir");
        }
    }
}
