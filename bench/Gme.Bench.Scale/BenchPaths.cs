namespace Gme.Bench.Scale;

/// <summary>The built CLI beside the bench, and the shared H&amp;M sample beside the repository (read, never copied).</summary>
internal static class BenchPaths
{
    /// <summary>
    /// The CLI in its own build output (built first, as a reference of the bench), run with its own dependencies: the
    /// copy beside the bench resolves assemblies against the bench's frameworks instead.
    /// </summary>
    public static string CliDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        return Path.Combine(Root(), "src", "Gme.Cli", "bin", configuration, "net10.0", "gme.dll");
    }

    public static string HmSample()
    {
        var sample = Path.GetFullPath(Path.Combine(Root(), "..", "shared", "datasets", "hm-sample"));
        return File.Exists(Path.Combine(sample, "products.csv"))
            ? sample
            : throw new DirectoryNotFoundException(sample + "/products.csv not found beside the repository");
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gme.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Gme.sln not found above " + AppContext.BaseDirectory);
    }
}
