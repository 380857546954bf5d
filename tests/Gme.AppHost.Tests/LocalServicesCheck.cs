namespace Gme.AppHost.Tests;

/// <summary>
/// Local-services mode needs the Debian packages rabbitmq-server and postgresql. CI installs them (.ci/run), so there
/// a missing package fails the tests instead of skipping them.
/// </summary>
internal static class LocalServicesCheck
{
    public static string? MissingReason()
    {
        var missing = new List<string>();
        if (!File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server"))
        {
            missing.Add("rabbitmq-server");
        }

        if (!Directory.Exists("/usr/lib/postgresql") || !Directory.EnumerateFiles("/usr/lib/postgresql", "initdb", SearchOption.AllDirectories).Any())
        {
            missing.Add("postgresql");
        }

        if (missing.Count == 0)
        {
            return null;
        }

        var reason = $"local services need {string.Join(" and ", missing)} installed (apt-get install rabbitmq-server postgresql)";
        return string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? throw new InvalidOperationException($"CI: {reason}; .ci/run installs them.")
            : reason;
    }
}
