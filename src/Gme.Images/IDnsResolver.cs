using System.Net;

namespace Gme.Images;

/// <summary>
/// Resolves a host name for the image client's connect callback. A seam so that tests can map names to private
/// addresses (and change the answer between calls, as a DNS-rebinding attacker would) without a real DNS server.
/// </summary>
public interface IDnsResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
