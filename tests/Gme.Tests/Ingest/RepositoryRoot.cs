namespace Gme.Tests.Ingest;

internal static class RepositoryRoot
{
    /// <summary>The folder holding Gme.sln, found by walking up from the test binaries.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gme.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Gme.sln not found above {AppContext.BaseDirectory}");
    }
}
