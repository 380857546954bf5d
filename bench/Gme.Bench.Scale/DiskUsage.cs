namespace Gme.Bench.Scale;

/// <summary>Bytes under each top-level entry of the data dir (files at its root, such as the ledger, one by one).</summary>
internal static class DiskUsage
{
    /// <summary>The photo cache: reported, but not counted against the data budget.</summary>
    public const string PhotoFolder = "images";

    public static IReadOnlyList<(string Name, long Bytes)> ByFolder(string dataDir)
    {
        var root = new DirectoryInfo(dataDir);
        var folders = root.EnumerateDirectories()
            .Select(d => (d.Name + "/", d.EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)));
        var files = root.EnumerateFiles().Select(f => (f.Name, f.Length));
        return [.. folders.Concat(files).OrderByDescending(e => e.Item2)];
    }
}
