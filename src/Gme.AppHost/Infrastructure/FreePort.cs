using System.Net;
using System.Net.Sockets;

namespace Gme.AppHost.Infrastructure;

public static class FreePort
{
    /// <summary>A loopback port nothing listens on now, so several app instances (tests, CI) never collide.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
