namespace Gme.Core.Storage;

/// <summary>Where each kind of artefact lives under the data directory.</summary>
public sealed class DataPaths
{
    public DataPaths(string dataDirectory)
    {
        Root = Path.GetFullPath(dataDirectory);
    }

    public string Root { get; }
    public string LedgerFile => Path.Combine(Root, "ledger.db");
    public string Images => Path.Combine(Root, "images");
    public string Shards => Path.Combine(Root, "shards");
    public string Jobs => Path.Combine(Root, "jobs");
    public string Vectors => Path.Combine(Root, "vectors");
    public string Index => Path.Combine(Root, "index");
    public string Reports => Path.Combine(Root, "reports");
    public string Models => Path.Combine(Root, "models");

    /// <summary>Creates every folder; safe to call again.</summary>
    public void EnsureCreated()
    {
        foreach (var dir in new[] { Root, Images, Shards, Jobs, Vectors, Index, Reports, Models })
        {
            Directory.CreateDirectory(dir);
        }
    }
}
