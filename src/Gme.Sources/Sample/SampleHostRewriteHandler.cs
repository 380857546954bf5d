using System.Net;
using Gme.Images;

namespace Gme.Sources.Sample;

/// <summary>
/// Sends requests for <see cref="SampleCatalogue.ImageHost"/> to the running <see cref="SampleImageServer"/>.
/// Catalogue rows keep a port-free URL so a resumed run, with a new server on a new port, sees the same image
/// references; only this handler knows the port. Used in sample mode only. It also tells the SSRF guard that exactly
/// this loopback endpoint may be reached; nothing else on loopback becomes reachable.
/// </summary>
public sealed class SampleHostRewriteHandler(SampleImageServer server, NetworkGuard guard) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri && string.Equals(uri.Host, SampleCatalogue.ImageHost, StringComparison.OrdinalIgnoreCase))
        {
            var target = await server.EnsureStartedAsync(cancellationToken);
            guard.AllowEndpoint(new IPEndPoint(IPAddress.Parse(target.Host), target.Port));
            request.RequestUri = new UriBuilder(uri) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
