using System.Text.Json;

namespace Gme.AppHost.Tests;

public sealed class ManifestTests
{
    [Fact]
    public async Task PublishManifest_Default_NamesEveryResource()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Path.Combine(Path.GetTempPath(), "gme-manifest-" + Guid.NewGuid().ToString("n"), "aspire-manifest.json");
        try
        {
            var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
                ChildProcess.AppHost("--publisher", "manifest", "--output-path", output), TimeSpan.FromMinutes(3), ct);
            Assert.True(exitCode == 0, $"manifest publish exited {exitCode}: {stderr}{stdout}");

            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output, ct));
            var resources = manifest.RootElement.GetProperty("resources");
            var types = resources.EnumerateObject().ToDictionary(r => r.Name, r => r.Value.GetProperty("type").GetString());
            Assert.Equal("container.v0", types["gme-bus"]);
            Assert.Equal("container.v0", types["postgres"]);
            Assert.Equal("value.v0", types["gme-state"]);
            Assert.Equal("container.v0", types["gme-vectors"]);
            Assert.Equal("container.v1", types["gme-ingest"]);
            Assert.Equal("container.v1", types["gme-embedder"]);
            Assert.Equal("container.v1", types["gme-indexer"]);
            Assert.Equal("container.v1", types["gme-search"]);

            // Secrets are parameters the deployment fills in, never literals in the manifest.
            Assert.Equal("parameter.v0", types["postgres-password"]);
            Assert.Equal("parameter.v0", types["gme-bus-password"]);
        }
        finally
        {
            if (Directory.Exists(Path.GetDirectoryName(output)))
            {
                Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
            }
        }
    }
}
