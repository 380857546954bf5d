using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gme.AppHost.Infrastructure;

/// <summary>
/// The launch profile names fixed loopback ports for the dashboard, its OTLP endpoint and the resource service. A
/// second AppHost on the same machine (another checkout, a test) would fail to bind them, so before the builder reads
/// them each taken port is replaced by a free one; the dashboard's login URL printed at start shows where it went.
/// </summary>
public static class DashboardPorts
{
    public static readonly string[] Variables =
    [
        "ASPNETCORE_URLS",
        "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL",
        "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL",
        "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL",
    ];

    /// <summary>Rewrites this process's environment; returns the variables it moved.</summary>
    public static IReadOnlyList<string> MoveTakenPorts()
    {
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
        var moved = MoveTakenPorts(environment, IsFree);
        foreach (var name in moved)
        {
            Environment.SetEnvironmentVariable(name, environment[name]);
        }

        return moved;
    }

    /// <summary>Replaces, in <paramref name="environment"/>, every loopback URL whose port <paramref name="isFree"/> says is taken.</summary>
    public static IReadOnlyList<string> MoveTakenPorts(IDictionary<string, string?> environment, Func<int, bool> isFree)
    {
        var moved = new List<string>();
        foreach (var name in Variables)
        {
            if (!environment.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            var urls = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var changed = false;
            for (var i = 0; i < urls.Length; i++)
            {
                if (Uri.TryCreate(urls[i], UriKind.Absolute, out var url) && url.IsLoopback && url.Port > 0 && !isFree(url.Port))
                {
                    urls[i] = new UriBuilder(url) { Port = FreePort.Next() }.Uri.GetLeftPart(UriPartial.Authority);
                    changed = true;
                }
            }

            if (changed)
            {
                environment[name] = string.Join(';', urls);
                moved.Add(name);
            }
        }

        return moved;
    }

    /// <summary>Whether a listener can take the port on loopback now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static string Describe(IDictionary<string, string?> environment, IEnumerable<string> moved) =>
        string.Join(", ", moved.Select(name => string.Create(CultureInfo.InvariantCulture, $"{name}={environment[name]}")));
}
