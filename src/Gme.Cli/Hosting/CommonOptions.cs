namespace Gme.Cli.Hosting;

/// <summary>
/// Options every command takes. <paramref name="Collection"/> is the catalogue the command works on (its collection in
/// the index); null leaves Gme:Collection (default <c>products</c>).
/// </summary>
internal sealed record CommonOptions(string DataDirectory, bool Verbose, string? Collection = null)
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
