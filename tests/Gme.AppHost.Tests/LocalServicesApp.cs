using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Gme.AppHost.Tests;

/// <summary>
/// The app for the fault-injection run: two Embedder instances, each one's log watched so a test can tell which
/// instance embedded what, and crashed services restarted by the AppHost only after a wait long enough for the run to
/// be seen Stalled first (the stall limit is 30 s, checked every 5 s).
/// </summary>
public sealed partial class LocalServicesApp : AppHostFixture
{
    /// <summary>How long the AppHost waits before it starts a crashed service again.</summary>
    public static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(75);

    private readonly ConcurrentDictionary<string, int> _embeddedByInstance = new();

    /// <summary>Items each Embedder instance reports as embedded ("Local job ... embedded N items").</summary>
    public IReadOnlyDictionary<string, int> EmbeddedByInstance => _embeddedByInstance;

    protected override IEnumerable<string> Arguments =>
        ["--Gme:EmbedderReplicas=2", $"--Gme:Restart:FirstDelay={RestartDelay}"];

    protected override void OnLogLine(string resourceName, string resourceId, string line)
    {
        if (resourceName == Embedder && EmbeddedLine().Match(line) is { Success: true } match)
        {
            var items = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            _embeddedByInstance.AddOrUpdate(resourceId, items, (_, total) => total + items);
        }
    }

    [GeneratedRegex(@"Local job \S+ embedded (\d+) items")]
    private static partial Regex EmbeddedLine();
}
