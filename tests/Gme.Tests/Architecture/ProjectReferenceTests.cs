using System.Xml.Linq;

namespace Gme.Tests.Architecture;

/// <summary>
/// The services are thin hosts that compose libraries: a service referencing another would pull that service's
/// host (and, before the split, its adapters) into its own process. The AppHost referencing them is Aspire's way.
/// </summary>
public sealed class ProjectReferenceTests
{
    private static readonly string[] Services = ["Gme.Ingest", "Gme.Embedder", "Gme.Indexer", "Gme.Search", "Gme.Cli"];

    [Fact]
    public void No_service_project_references_another_service_project()
    {
        var src = Path.Combine(FindRepositoryRoot(), "src");
        var offences = new List<string>();
        foreach (var service in Services)
        {
            var project = Path.Combine(src, service, service + ".csproj");
            Assert.True(File.Exists(project), $"{project} is missing: the list of services is out of date");
            offences.AddRange(ProjectReferences(project).Where(Services.Contains).Select(r => $"{service} -> {r}"));
        }

        Assert.Empty(offences);
    }

    [Fact]
    public void The_check_sees_a_service_reference_when_there_is_one()
    {
        // The AppHost references every service, so the parser must find them there; else the test above proves nothing.
        var appHost = Path.Combine(FindRepositoryRoot(), "src", "Gme.AppHost", "Gme.AppHost.csproj");
        Assert.Contains("Gme.Ingest", ProjectReferences(appHost));
    }

    private static IEnumerable<string> ProjectReferences(string project) =>
        XDocument.Load(project).Descendants("ProjectReference")
            .Select(r => (string?)r.Attribute("Include"))
            .OfType<string>()
            .Select(include => Path.GetFileNameWithoutExtension(include.Replace('\\', '/')))
            .ToList();

    private static string FindRepositoryRoot()
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
