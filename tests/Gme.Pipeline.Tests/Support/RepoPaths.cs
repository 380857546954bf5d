namespace Gme.Pipeline.Tests.Support;

/// <summary>Finds the repository and the shared data beside it, wherever the tests run from.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/datasets/hm-sample/products.csv relative to the repository (read-only, never copied).</summary>
    public static string HmSampleCsv => Path.GetFullPath(Path.Combine(Root, "..", "shared", "datasets", "hm-sample", "products.csv"));

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The built CLI. The test project references it, so it is built before the tests run.</summary>
    public static string CliDll
    {
        get
        {
            var local = Path.Combine(AppContext.BaseDirectory, "gme.dll");
            if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "gme.runtimeconfig.json")))
            {
                return local;
            }

            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(Root, "src", "Gme.Cli", "bin", configuration, "net10.0", "gme.dll");
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gme.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Gme.sln not found above " + AppContext.BaseDirectory);
    }
}
